/** `guidepost outbox`: message changes waiting for, or refused by, the delivery server. */
import { withBackend } from './backend';
import type { Command } from './command';

export const outboxCommand: Command = {
  summary: 'List the outbox: message changes waiting for, or refused by, the delivery server.',
  usage: 'guidepost outbox [--db <file>] [--json]',
  options: {},
  run: (ctx) =>
    withBackend(ctx, async ({ handlers }) => {
      if (ctx.positionals.length > 0) throw new Error(`unexpected argument "${ctx.positionals[0]}".`);
      const list = await handlers.listOutbox({});
      const items = list.map((i) => ({
        id: i.id,
        messageId: i.messageId,
        op: i.op,
        state: i.state,
        attempts: i.attempts,
        nextAttemptAt: i.nextAttemptAt === null || i.state !== 'queued' ? null : new Date(i.nextAttemptAt).toISOString(),
        lastError: i.lastError,
      }));
      const text =
        items.length === 0
          ? 'The outbox is empty.'
          : items
              .map((i) => `#${i.id}  ${i.messageId}  ${i.op}  ${i.state}  ${i.attempts} attempts${i.nextAttemptAt ? `  next ${i.nextAttemptAt}` : ''}${i.lastError ? `  ${i.lastError}` : ''}`)
              .join('\n');
      return { data: { items }, text };
    }),
};
