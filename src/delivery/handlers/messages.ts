/**
 * The admin message endpoints: list, read, publish a new version, delete, pause, resume and end.
 * Every change is one engine operation (engine/types.ts), atomic in the database, so the version and
 * holdout rules (409) hold across nodes; the pipeline reloads the live messages after it.
 */
import { fail, type Answer } from '../pipeline/answer';
import type { ChangeHandler, Context, Handler } from '../pipeline/run';
import { pagePatternWarning } from '../../shared/page-url';
import { neededEventNames } from '../decide';
import { describeIssues, MESSAGE_ID, publishSchema, type PublishBody } from '../schemas';
import type { MessageRow, StoredState } from '../store';
import { holdoutOf, type DeliveryEngine } from '../engine/types';
import { invalid, iso } from './common';

export interface MessageHandlers {
  listMessages: Handler;
  getMessage: Handler;
  publish: ChangeHandler;
  deleteMessage: ChangeHandler;
  pause: ChangeHandler;
  resume: ChangeHandler;
  end: ChangeHandler;
}

export function createMessageHandlers(engine: DeliveryEngine): MessageHandlers {
  /**
   * The event names the rule counts that no profile kept until now: the profile store starts collecting
   * them with this publish (the live messages reload after it), so the rule sees only what arrives from
   * now on. Said in the answer; null when every name is already collected.
   */
  const startsCollecting = async (body: PublishBody): Promise<string | null> => {
    const collected = new Set(await engine.collectedNames());
    const fresh = [...neededEventNames([body])].filter((name) => !collected.has(name)).sort();
    if (fresh.length === 0) return null;
    const named = fresh.map((name) => `"${name}"`).join(', ');
    return (
      `No profile kept ${fresh.length === 1 ? 'events' : 'the events'} named ${named} until now: delivery collects them from this publish on, ` +
      `so the rule is judged on the ones that arrive from now on (the newest ${engine.eventsPerName} per user and name), not on older records.`
    );
  };

  const present = async (row: MessageRow): Promise<Record<string, unknown>> => {
    const body = JSON.parse(row.body) as PublishBody;
    return {
      id: row.id,
      ...body,
      version: row.version,
      state: row.state,
      publishedAt: iso(row.published_at),
      updatedAt: iso(row.updated_at),
      results: await engine.results(row.id),
    };
  };

  const messageId = (ctx: Context): string | Answer => {
    const id = ctx.params.id ?? '';
    if (!MESSAGE_ID.test(id)) {
      return fail(400, 'invalid_argument', 'A message id is 1 to 128 characters: letters, digits, and . _ : - (not first).');
    }
    return id;
  };

  const existing = async (ctx: Context): Promise<MessageRow | Answer> => {
    const id = messageId(ctx);
    if (typeof id !== 'string') return id;
    const row = await engine.message(id);
    if (!row || row.state === 'deleted') return fail(404, 'not_found', `There is no message "${id}".`);
    return row;
  };

  const endedAnswer = async (stored: MessageRow, to: StoredState): Promise<Answer> =>
    fail(409, 'conflict', `Message "${stored.id}" has ended; an ended message cannot be ${to === 'paused' ? 'paused' : 'resumed'}.`, {
      message: await present(stored),
    });

  const transition =
    (to: StoredState): ChangeHandler =>
    async (ctx) => {
      const id = messageId(ctx);
      if (typeof id !== 'string') return id;
      const outcome = await engine.setState(id, to, ctx.now);
      if (outcome.outcome === 'missing') return fail(404, 'not_found', `There is no message "${id}".`);
      if (outcome.outcome === 'ended') return endedAnswer(outcome.stored, to);
      return { status: 200, body: { message: await present(outcome.row) } };
    };

  return {
    listMessages: async () => ({ status: 200, body: { messages: await Promise.all((await engine.messages()).map(present)) } }),
    getMessage: async (ctx) => {
      const row = await existing(ctx);
      return 'status' in row ? row : { status: 200, body: { message: await present(row) } };
    },
    publish: async (ctx) => {
      const id = messageId(ctx);
      if (typeof id !== 'string') return id;
      const parsed = publishSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The message', describeIssues(parsed.error));
      const body = parsed.data;
      // The version and holdout rules are checked by the engine, in the database, against the row as stored.
      const outcome = await engine.publish({ id, version: body.version, body: JSON.stringify(body), holdout: body.holdout, now: ctx.now });
      if (outcome.outcome === 'conflict' && outcome.reason === 'version') {
        const stored = outcome.stored;
        return fail(409, 'conflict', `Version ${body.version} of message "${id}" is not newer than the stored version ${stored.version}.`, {
          message: await present(stored),
        });
      }
      // The holdout is fixed after the first publish: the groups already assigned were drawn with it.
      if (outcome.outcome === 'conflict') {
        const stored = outcome.stored;
        const fixed = holdoutOf(stored.body);
        return fail(
          409,
          'conflict',
          `holdout: message "${id}" was first published with a ${fixed}% holdout, and the holdout is fixed after the first publish ` +
            `(the users already assigned were drawn with it); this version asks for ${body.holdout}%. Keep ${fixed}%, or publish under a new id.`,
          { field: 'holdout', message: await present(stored) },
        );
      }
      // Published all the same: the pattern is the author's choice, the answer says it cannot match.
      const page = body.trigger.page;
      const pageWarning = page ? pagePatternWarning(page) : null;
      const warnings = pageWarning ? [{ field: 'trigger.page', message: pageWarning }] : [];
      const collecting = await startsCollecting(body);
      if (collecting) warnings.push({ field: 'rule', message: collecting });
      return { status: outcome.created ? 201 : 200, body: { message: await present(outcome.row), created: outcome.created, warnings } };
    },
    deleteMessage: async (ctx) => {
      const id = messageId(ctx);
      if (typeof id !== 'string') return id;
      const outcome = await engine.setState(id, 'deleted', ctx.now);
      if (outcome.outcome !== 'applied') return fail(404, 'not_found', `There is no message "${id}".`);
      return { status: 200, body: { id, deleted: true } };
    },
    pause: transition('paused'),
    resume: transition('running'),
    end: transition('ended'),
  };
}
