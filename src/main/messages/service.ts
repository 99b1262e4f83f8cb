/**
 * Messages in the cache: drafts, their status, publishing through the outbox, environments.
 */
import { ApiError } from '../../shared/errors';
import type { Handlers } from '../../shared/contract';

/** The message methods of the contract, placeholders until the messages issue lands. */
export type MessageHandlers = Pick<
  Handlers,
  | 'listMessages'
  | 'getMessage'
  | 'saveMessage'
  | 'duplicateMessage'
  | 'archiveMessage'
  | 'deleteMessage'
  | 'messageAudience'
  | 'messageDiff'
  | 'publishMessage'
  | 'messageCommand'
  | 'listOutbox'
  | 'retryOutbox'
  | 'discardOutbox'
  | 'getEnvironments'
  | 'setEnvironment'
  | 'messageResults'
>;

const todo = (): never => {
  throw new ApiError('unavailable', 'Messages are being built.');
};

export function createMessageHandlers(): MessageHandlers {
  return {
    listMessages: todo,
    getMessage: todo,
    saveMessage: todo,
    duplicateMessage: todo,
    archiveMessage: todo,
    deleteMessage: todo,
    messageAudience: todo,
    messageDiff: todo,
    publishMessage: todo,
    messageCommand: todo,
    listOutbox: todo,
    retryOutbox: todo,
    discardOutbox: todo,
    getEnvironments: todo,
    setEnvironment: todo,
    messageResults: todo,
  };
}
