/** The contract's message methods: drafts, audiences, the outbox, environments and results. */
import type { MessageHandlers } from '../../shared/contract/messages';
import { messageAudience } from './audience';
import { messageResults } from './results';
import type { MessageDeps, MessageService } from './service';

export function createMessageHandlers(service: MessageService, deps: Pick<MessageDeps, 'db' | 'segments' | 'workshops' | 'asOf'>): MessageHandlers {
  const context = () => ({ db: deps.db, segments: deps.segments, workshops: deps.workshops, asOf: deps.asOf() });
  return {
    listMessages: ({ includeArchived }) => service.list(includeArchived ?? false),
    getMessage: ({ id }) => service.get(id),
    saveMessage: ({ message }) => service.save(message),
    duplicateMessage: ({ id }) => service.duplicate(id),
    archiveMessage: ({ id, archived }) => service.archive(id, archived),
    deleteMessage: ({ id }) => service.delete(id),
    messageAudience: ({ message, userId }) => messageAudience(context(), message, userId),
    messageDiff: ({ id }) => service.diff(id),
    publishMessage: ({ id }) => service.publish(id).record,
    publishMessagesNow: ({ ids, url }) => service.publishNow(ids, url),
    messageCommand: ({ id, op }) => service.command(id, op).record,
    listOutbox: () => service.listOutbox(),
    retryOutbox: ({ id }) => service.retry(id),
    discardOutbox: ({ id }) => service.discard(id),
    getEnvironments: () => service.environments(),
    setEnvironment: ({ environment, url, token }) => service.setEnvironment(environment, url, token),
    messageResults: ({ id, search }) => messageResults(context(), id, search),
  };
}
