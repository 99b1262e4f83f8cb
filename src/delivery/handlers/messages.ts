/**
 * The admin message endpoints: list, read, publish a new version, delete, pause, resume and end.
 * Every change is synchronous (it runs inside the idempotency transaction); the pipeline reloads the
 * live messages after it.
 */
import { fail, type Answer } from '../pipeline/answer';
import type { ChangeHandler, Context, Handler } from '../pipeline/run';
import { pagePatternWarning } from '../../shared/page-url';
import { neededEventNames } from '../decide';
import { describeIssues, MESSAGE_ID, publishSchema, type PublishBody } from '../schemas';
import type { DeliveryStore, MessageRow, StoredState } from '../store';
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

/** The holdout a stored version carries (0 for a body stored before holdouts existed). */
function storedHoldout(row: MessageRow): number {
  const holdout = (JSON.parse(row.body) as Partial<PublishBody>).holdout;
  return typeof holdout === 'number' ? holdout : 0;
}

export function createMessageHandlers(store: DeliveryStore): MessageHandlers {
  /**
   * The event names the rule counts that no profile kept until now: the profile store starts collecting
   * them with this publish (the live messages reload after it), so the rule sees only what arrives from
   * now on. Said in the answer; null when every name is already collected.
   */
  const startsCollecting = (body: PublishBody): string | null => {
    const collected = new Set(store.profiles.collectedNames());
    const fresh = [...neededEventNames([body])].filter((name) => !collected.has(name)).sort();
    if (fresh.length === 0) return null;
    const named = fresh.map((name) => `"${name}"`).join(', ');
    return (
      `No profile kept ${fresh.length === 1 ? 'events' : 'the events'} named ${named} until now: delivery collects them from this publish on, ` +
      `so the rule is judged on the ones that arrive from now on (the newest ${store.profiles.eventsPerName} per user and name), not on older records.`
    );
  };

  const present = (row: MessageRow): Record<string, unknown> => {
    const body = JSON.parse(row.body) as PublishBody;
    return {
      id: row.id,
      ...body,
      version: row.version,
      state: row.state,
      publishedAt: iso(row.published_at),
      updatedAt: iso(row.updated_at),
      results: store.results(row.id),
    };
  };

  const messageId = (ctx: Context): string | Answer => {
    const id = ctx.params.id ?? '';
    if (!MESSAGE_ID.test(id)) {
      return fail(400, 'invalid_argument', 'A message id is 1 to 128 characters: letters, digits, and . _ : - (not first).');
    }
    return id;
  };

  const existing = (ctx: Context): MessageRow | Answer => {
    const id = messageId(ctx);
    if (typeof id !== 'string') return id;
    const row = store.message(id);
    if (!row || row.state === 'deleted') return fail(404, 'not_found', `There is no message "${id}".`);
    return row;
  };

  const transition =
    (to: StoredState): ChangeHandler =>
    (ctx) => {
      const row = existing(ctx);
      if ('status' in row) return row;
      if (row.state === 'ended' && to !== 'ended') {
        return fail(409, 'conflict', `Message "${row.id}" has ended; an ended message cannot be ${to === 'paused' ? 'paused' : 'resumed'}.`, {
          message: present(row),
        });
      }
      if (row.state !== to) store.setState(row.id, to, ctx.now);
      return { status: 200, body: { message: present(store.message(row.id) as MessageRow) } };
    };

  return {
    listMessages: () => ({ status: 200, body: { messages: store.messages().map(present) } }),
    getMessage: (ctx) => {
      const row = existing(ctx);
      return 'status' in row ? row : { status: 200, body: { message: present(row) } };
    },
    publish: (ctx) => {
      const id = messageId(ctx);
      if (typeof id !== 'string') return id;
      const parsed = publishSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The message', describeIssues(parsed.error));
      const body = parsed.data;
      const stored = store.message(id);
      if (stored && stored.version >= body.version) {
        return fail(409, 'conflict', `Version ${body.version} of message "${id}" is not newer than the stored version ${stored.version}.`, {
          message: present(stored),
        });
      }
      // The holdout is fixed after the first publish: the groups already assigned were drawn with it.
      if (stored) {
        const fixed = storedHoldout(stored);
        if (fixed !== body.holdout) {
          return fail(
            409,
            'conflict',
            `holdout: message "${id}" was first published with a ${fixed}% holdout, and the holdout is fixed after the first publish ` +
              `(the users already assigned were drawn with it); this version asks for ${body.holdout}%. Keep ${fixed}%, or publish under a new id.`,
            { field: 'holdout', message: present(stored) },
          );
        }
      }
      const state: StoredState = stored && stored.state !== 'deleted' ? stored.state : 'running';
      store.publish(id, body.version, JSON.stringify(body), state, ctx.now);
      const created = !stored || stored.state === 'deleted';
      // Published all the same: the pattern is the author's choice, the answer says it cannot match.
      const page = body.trigger.page;
      const pageWarning = page ? pagePatternWarning(page) : null;
      const warnings = pageWarning ? [{ field: 'trigger.page', message: pageWarning }] : [];
      const collecting = startsCollecting(body);
      if (collecting) warnings.push({ field: 'rule', message: collecting });
      return { status: created ? 201 : 200, body: { message: present(store.message(id) as MessageRow), created, warnings } };
    },
    deleteMessage: (ctx) => {
      const row = existing(ctx);
      if ('status' in row) return row;
      store.setState(row.id, 'deleted', ctx.now);
      return { status: 200, body: { id: row.id, deleted: true } };
    },
    pause: transition('paused'),
    resume: transition('running'),
    end: transition('ended'),
  };
}
