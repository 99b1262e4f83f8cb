/** The contract's message methods: drafts, audiences, publishing through the outbox, environments and results. */
import { z } from 'zod';
import type { AudienceCheck, EnvironmentSettings, MessageBacktest, MessageRecord, MessageResults, OutboxItem, PublishAttempt } from '../messages/model';
import type { MessageLiftResults } from '../messages/lift-results';
import { ENVIRONMENTS, MAX_BACKTEST_WEEKS, MESSAGE_ID_PATTERN } from '../messages/model';
import { method, noArgs, tokenUrl, type HandlersFor } from './method';

const messageId = z.string().regex(MESSAGE_ID_PATTERN, 'message ids start with a letter or digit and hold letters, digits, . _ : -');
const outboxItemId = z.number().int().min(1);

export const messageMethods = {
  /** Messages with their status, target, published version and pending outbox work. */
  listMessages: method<MessageRecord[]>()(z.object({ includeArchived: z.boolean().optional() }).strict()),
  getMessage: method<MessageRecord>()(z.object({ id: messageId }).strict()),
  /** Creates or updates a draft; the error names the field and says what to do. */
  saveMessage: method<MessageRecord>()(z.object({ message: z.unknown() }).strict()),
  duplicateMessage: method<MessageRecord>()(z.object({ id: messageId }).strict()),
  archiveMessage: method<MessageRecord>()(z.object({ id: messageId, archived: z.boolean() }).strict()),
  /** Removes a draft that was never published; saveMessage with its document brings it back (Undo). */
  deleteMessage: method<{ deleted: boolean }>()(z.object({ id: messageId }).strict()),
  /** Who would see it now (the target's size as of "data as of"), and whether one named user would, and why not. */
  messageAudience: method<AudienceCheck>()(
    z.object({ message: z.unknown(), userId: z.string().min(1).max(200).optional() }).strict(),
  ),
  /** What publishing would change against the version the server has: field by field, and the next version. */
  messageDiff: method<{ nextVersion: number; body: unknown; changes: { path: string; before: unknown; after: unknown }[] }>()(
    z.object({ id: messageId }).strict(),
  ),
  /** Queues the message's next version in the outbox; the sender delivers it when the server is reachable. */
  publishMessage: method<MessageRecord>()(z.object({ id: messageId }).strict()),
  /**
   * Queues each message's next version and makes one delivery attempt for all of them at once, whatever
   * their wait, answering in the order asked: `guidepost message publish`, which reports and exits rather
   * than leave a timer running. `url` sends to that server instead of each environment's (nothing is
   * stored); the tokens are the environments' own.
   */
  publishMessagesNow: method<PublishAttempt[]>()(
    z
      .object({
        ids: z.array(messageId).max(10_000),
        url: tokenUrl('the delivery URL must be http(s)').optional(),
      })
      .strict(),
  ),
  /** Pause, resume or end on the server, through the same outbox. */
  messageCommand: method<MessageRecord>()(z.object({ id: messageId, op: z.enum(['pause', 'resume', 'end']) }).strict()),
  listOutbox: method<OutboxItem[]>()(noArgs),
  /** Tries a failed or waiting item now. */
  retryOutbox: method<OutboxItem>()(z.object({ id: outboxItemId }).strict()),
  /** Drops a failed or conflicting item (the draft stays). */
  discardOutbox: method<{ discarded: boolean }>()(z.object({ id: outboxItemId }).strict()),
  getEnvironments: method<EnvironmentSettings[]>()(noArgs),
  /** Sets an environment's delivery URL and, optionally, its token (kept in safeStorage in the app, in memory in browser mode). */
  setEnvironment: method<EnvironmentSettings>()(
    z
      .object({
        environment: z.enum(ENVIRONMENTS),
        url: tokenUrl('the delivery URL must be http(s)').nullable(),
        token: z.string().min(1).max(4096).optional(),
      })
      .strict(),
  ),
  /** Shown, dismissed, clicked and CTR; for surveys the NPS, distribution, weekly trend, per segment and persona, and comments. */
  messageResults: method<MessageResults>()(z.object({ id: messageId, search: z.string().max(200).optional() }).strict()),
  /** A survey's responses as CSV: one row per response, one column per question, personas included (src/main/messages/survey-responses.ts). */
  messageResponsesCsv: method<{ filename: string; csv: string; responses: number }>()(z.object({ id: messageId }).strict()),
  /**
   * "If this message had been live over the last N weeks": the cache's history replayed through the
   * delivery server's decide against the other live messages (saved or not: the editor sends its draft).
   */
  messageBacktest: method<MessageBacktest>()(
    z.object({ message: z.unknown(), weeks: z.number().int('a whole number of weeks').min(1, 'at least 1 week').max(MAX_BACKTEST_WEEKS, `at most ${MAX_BACKTEST_WEEKS} weeks`) }).strict(),
  ),
  /** For a message with a goal: exposed and holdout groups, their conversions, the lift with its 95% interval, curves and splits (issue 19). */
  messageLift: method<MessageLiftResults>()(z.object({ id: messageId }).strict()),
} as const;

export type MessageHandlers = HandlersFor<typeof messageMethods>;
