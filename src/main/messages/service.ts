/**
 * Messages in the cache: drafts, their status, publishing through the outbox, pause/resume/end, and
 * each environment's delivery URL and token.
 *
 * A draft is stored only when it is valid (the error names every field that is not). Publishing
 * builds the delivery server's publish body (the target's rule with every segment inlined, read at
 * publish time so a persona's rule is kept in step), checks it with the server's own validator, and
 * writes it to the outbox; the sender (./sender.ts) delivers it. A deleted target never breaks a
 * list: the message shows a warning and cannot be published until another target is picked.
 */
import { ApiError } from '../../shared/errors';
import {
  ENVIRONMENTS,
  messageSchema,
  type Environment,
  type EnvironmentSettings,
  type MessageDraft,
  type MessageRecord,
  type MessageStatus,
  type OutboxItem,
  type OutboxOp,
  type PublishAttempt,
} from '../../shared/messages/model';
import type { Rule } from '../../shared/segments/rule';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';
import type { WorkshopService } from '../workshops/service';
import { buildPublishBody, describeIssues, diffBodies, requireMessage, validatePublishBody, type FieldChange } from './publish-body';
import { originOf } from '../../shared/secure-url';
import type { SecretStore } from './secrets';
import { OutboxSender } from './sender';
import { createMessageStore, PENDING, toOutboxItem, type MessageRow } from './store';

export interface MessageDeps {
  db: Db;
  clock: () => number;
  segments: SegmentService;
  workshops: WorkshopService;
  secrets: SecretStore;
  /** Pushes an outbox item whenever its state changes. */
  emit: (item: OutboxItem) => void;
  /** The cache's "data as of" (for audiences and results). */
  asOf: () => number;
  fetch?: typeof fetch;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** True while a job holds the cache's write transaction. */
  busy?: () => boolean;
}

interface Target {
  name: string | null;
  rule: Rule | null;
  warning: string | null;
}

const OUTBOX_LIST_LIMIT = 500;
const RECORD_OUTBOX_LIMIT = 20;

const deletedWarning = (what: 'segment' | 'persona', name: string): string =>
  `The ${what} “${name}” was deleted: this message has no audience until you pick another.`;

export class MessageService {
  readonly store;
  readonly sender: OutboxSender;

  constructor(private readonly deps: MessageDeps) {
    this.store = createMessageStore(deps.db);
    this.sender = new OutboxSender({
      store: this.store,
      secrets: deps.secrets,
      clock: deps.clock,
      emit: deps.emit,
      isOpen: () => deps.db.open,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.baseDelayMs !== undefined ? { baseDelayMs: deps.baseDelayMs } : {}),
      ...(deps.maxDelayMs !== undefined ? { maxDelayMs: deps.maxDelayMs } : {}),
      ...(deps.busy ? { busy: deps.busy } : {}),
      onError: (err) => console.error('outbox sender:', err),
    });
  }

  private row(id: string): MessageRow {
    const row = this.store.get(id);
    if (!row) throw new ApiError('not_found', `No message with id ${id}.`);
    return row;
  }

  private draftOf(row: MessageRow): MessageDraft {
    return JSON.parse(row.document) as MessageDraft;
  }

  /** The target's current name and rule, or a warning when it is gone; never throws. */
  target(message: MessageDraft, lastKnownName: string | null = null): Target {
    const t = message.target;
    try {
      if (t.type === 'segment') {
        let segment;
        try {
          segment = this.deps.segments.get(t.segmentId);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'not_found') return { name: null, rule: null, warning: deletedWarning('segment', lastKnownName ?? t.segmentId) };
          throw err;
        }
        return this.checked(segment.name, segment.rule);
      }
      let workshop;
      try {
        workshop = this.deps.workshops.get(t.workshopId);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'not_found') return { name: null, rule: null, warning: deletedWarning('persona', lastKnownName ?? t.personaId) };
        throw err;
      }
      const persona = workshop.personas.find((p) => p.id === t.personaId);
      if (!persona) return { name: null, rule: null, warning: deletedWarning('persona', lastKnownName ?? t.personaId) };
      return this.checked(persona.name, persona.rule);
    } catch (err) {
      return { name: lastKnownName, rule: null, warning: `The audience cannot be read: ${(err as Error).message}` };
    }
  }

  /** A target whose rule refers to a deleted segment is named, with a warning and no rule. */
  private checked(name: string, rule: Rule): Target {
    try {
      return { name, rule: this.deps.segments.inline(rule), warning: null };
    } catch (err) {
      return { name, rule: null, warning: `The audience “${name}” cannot be used: ${(err as Error).message.replace(/^The rule cannot be used: /, '')}` };
    }
  }

  private status(row: MessageRow, message: MessageDraft): MessageStatus {
    if (message.archived || row.archived === 1) return 'archived';
    if (row.published_version === null) return 'draft';
    if (row.server_state === 'ended') return 'ended';
    if (row.server_state === 'paused') return 'paused';
    const body = row.published_body === null ? null : (JSON.parse(row.published_body) as { schedule?: { start?: string; end?: string } });
    const now = this.deps.clock();
    const start = body?.schedule?.start ? Date.parse(body.schedule.start) : NaN;
    const end = body?.schedule?.end ? Date.parse(body.schedule.end) : NaN;
    if (!Number.isNaN(end) && end <= now) return 'ended';
    if (!Number.isNaN(start) && start > now) return 'scheduled';
    return 'live';
  }

  private toRecord(row: MessageRow): MessageRecord {
    const message = this.draftOf(row);
    const target = this.target(message, row.target_name);
    return {
      message,
      status: this.status(row, message),
      publishedVersion: row.published_version,
      publishedBody: row.published_body === null ? null : (JSON.parse(row.published_body) as unknown),
      targetName: target.name,
      targetWarning: target.warning,
      outbox: this.store.outboxFor(row.id).slice(0, RECORD_OUTBOX_LIMIT).map(toOutboxItem),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /**
   * A message as a workshop's export tells it: its name, status and reach (distinct users with a
   * message_shown of it at or before asOf); null when the cache holds no such message.
   */
  summary(id: string, asOf: number): { name: string; status: MessageStatus; reach: number } | null {
    const row = this.store.get(id);
    if (!row) return null;
    const message = this.draftOf(row);
    const reach = this.deps.db
      .prepare<[number, string], number>(
        `SELECT count(DISTINCT e.user_pk) FROM events e WHERE e.name_id = (SELECT name_id FROM event_names WHERE name = 'message_shown')
          AND e.ts <= ? AND json_extract(e.properties, '$.message_id') = ?`,
      )
      .pluck()
      .get(asOf, id);
    return { name: message.name, status: this.status(row, message), reach: reach ?? 0 };
  }

  list(includeArchived: boolean): MessageRecord[] {
    return this.store.list(includeArchived).map((row) => this.toRecord(row));
  }

  get(id: string): MessageRecord {
    return this.toRecord(this.row(id));
  }

  /** Creates or updates a draft: only a valid document is stored (the error names each field). */
  save(input: unknown): MessageRecord {
    const message = requireMessage(input);
    const target = this.target(message);
    this.store.save(message, target.name, this.deps.clock());
    return this.get(message.id);
  }

  duplicate(id: string): MessageRecord {
    const source = this.draftOf(this.row(id));
    let copyId = `${source.id.slice(0, 120)}-copy`;
    for (let n = 2; this.store.get(copyId); n++) copyId = `${source.id.slice(0, 120)}-copy${n}`;
    return this.save({ ...source, id: copyId, name: `${source.name} (copy)`.slice(0, 200), archived: false });
  }

  archive(id: string, archived: boolean): MessageRecord {
    const message = this.draftOf(this.row(id));
    return this.save({ ...message, archived });
  }

  /** Removes a message the server never accepted; a published one is ended (or archived) instead. */
  delete(id: string): { deleted: boolean } {
    const row = this.row(id);
    const items = this.store.outboxFor(id);
    if (row.published_version !== null || items.some((i) => PENDING.includes(i.state) || i.state === 'published')) {
      throw new ApiError('conflict', 'This message was published: end it (and archive it) instead of deleting it.');
    }
    this.deps.db.transaction(() => {
      for (const item of items) this.store.remove(item.id);
      this.store.delete(id);
    })();
    return { deleted: true };
  }

  /** The next version: above the last one accepted, any on its way, and any a 409 said the server holds. */
  private nextVersion(row: MessageRow): number {
    return Math.max(row.published_version ?? 0, row.server_version ?? 0, this.store.maxQueuedVersion(row.id) ?? 0) + 1;
  }

  /** The body the next publish would send, checked with the delivery server's validator. */
  nextBody(id: string): { row: MessageRow; message: MessageDraft; version: number; body: Record<string, unknown> } {
    const row = this.row(id);
    const parsed = messageSchema.safeParse(JSON.parse(row.document));
    if (!parsed.success) throw new ApiError('invalid_argument', `The message cannot be published: ${describeIssues(parsed.error).join('; ')}.`);
    const message = parsed.data;
    if (message.archived) throw new ApiError('invalid_argument', 'The message is archived: unarchive it before publishing.');
    const target = this.target(message, row.target_name);
    if (target.rule === null) throw new ApiError('invalid_argument', `The message cannot be published: ${target.warning ?? 'it has no audience.'}`);
    const version = this.nextVersion(row);
    const body = buildPublishBody(message, target.rule, version);
    validatePublishBody(body);
    return { row, message, version, body };
  }

  diff(id: string): { nextVersion: number; body: unknown; changes: FieldChange[] } {
    const { row, version, body } = this.nextBody(id);
    const before = row.published_body === null ? null : (JSON.parse(row.published_body) as unknown);
    return { nextVersion: version, body, changes: diffBodies(before, body) };
  }

  private urlFor(environment: Environment, override?: string): string {
    const url = override ?? this.store.environmentUrl(environment);
    if (!url) throw new ApiError('invalid_argument', `Set the ${environment} delivery URL under Environments before publishing.`);
    return url;
  }

  private queued(id: number): void {
    const row = this.store.outboxGet(id);
    if (row) this.deps.emit(toOutboxItem(row));
    this.sender.kick();
  }

  /** Queues the next version in the outbox (the body frozen now); returns the queued item's id too. */
  publish(id: string, options: { url?: string } = {}): { record: MessageRecord; itemId: number } {
    const { message, version, body } = this.nextBody(id);
    const url = this.urlFor(message.environment, options.url);
    const itemId = this.store.enqueue(
      { messageId: id, op: 'publish', environment: message.environment, url, version, body: JSON.stringify(body) },
      this.deps.clock(),
    );
    this.queued(itemId);
    return { record: this.get(id), itemId };
  }

  /**
   * Publishes each message (to `url` instead of its environment's, when given) and makes one delivery
   * attempt for all of them at once, whatever their wait; answers in the order asked.
   */
  async publishNow(ids: readonly string[], url?: string): Promise<PublishAttempt[]> {
    const queued = new Map<string, number>();
    const results: PublishAttempt[] = [];
    for (const id of ids) {
      try {
        queued.set(id, this.publish(id, url === undefined ? {} : { url }).itemId);
      } catch (err) {
        results.push({ id, state: 'failed', version: null, error: (err as Error).message });
      }
    }
    await this.sender.runDue({ ignoreWait: true, messageIds: new Set(queued.keys()) });
    for (const [id, itemId] of queued) {
      const item = this.store.outboxGet(itemId);
      const state = item?.state === 'published' ? 'published' : item?.state === 'queued' || item?.state === 'sending' ? 'queued' : 'failed';
      results.push({
        id,
        state,
        version: item?.version ?? null,
        ...(state !== 'published' && item?.last_error ? { error: item.last_error } : {}),
        // A published item's last_error is a warning: the server dropped goal or holdout (missingFromEcho).
        ...(state === 'published' && item?.last_error ? { warning: item.last_error } : {}),
      });
    }
    return results.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
  }

  /** Pause, resume or end on the server, after any change of the message still queued. */
  command(id: string, op: Exclude<OutboxOp, 'publish'>, options: { url?: string } = {}): { record: MessageRecord; itemId: number } {
    const row = this.row(id);
    const items = this.store.outboxFor(id);
    const lastPublish = items.find((i) => i.op === 'publish' && (PENDING.includes(i.state) || i.state === 'published'));
    if (row.published_version === null && !lastPublish) {
      throw new ApiError('invalid_argument', `Publish the message first: only a published message can be ${op === 'end' ? 'ended' : `${op}d`}.`);
    }
    const published = row.published_body === null ? null : (JSON.parse(row.published_body) as { environment?: Environment });
    const environment = lastPublish?.environment ?? published?.environment ?? this.draftOf(row).environment;
    const url = options.url ?? lastPublish?.url ?? this.urlFor(environment);
    const itemId = this.store.enqueue({ messageId: id, op, environment, url, version: null, body: null }, this.deps.clock());
    this.queued(itemId);
    return { record: this.get(id), itemId };
  }

  listOutbox(): OutboxItem[] {
    return this.store.outboxAll().slice(0, OUTBOX_LIST_LIMIT).map(toOutboxItem);
  }

  /** Puts a waiting, failed or conflicting item back in the queue and tries it (and its message's queue) now. */
  async retry(id: number): Promise<OutboxItem> {
    const row = this.store.outboxGet(id);
    if (!row) throw new ApiError('not_found', `No outbox item ${id}.`);
    if (row.state === 'sending') throw new ApiError('conflict', 'This item is being sent right now.');
    if (row.state === 'published') throw new ApiError('invalid_argument', 'This item was delivered already.');
    this.store.update(id, { state: 'queued', next_attempt_at: this.deps.clock() }, this.deps.clock());
    this.deps.emit(toOutboxItem(this.store.outboxGet(id) as typeof row));
    await this.sender.runDue({ ignoreWait: true, messageIds: new Set([row.message_id]) });
    return toOutboxItem(this.store.outboxGet(id) as typeof row);
  }

  discard(id: number): { discarded: boolean } {
    const row = this.store.outboxGet(id);
    if (!row) return { discarded: false };
    if (row.state === 'sending') throw new ApiError('conflict', 'This item is being sent right now; discard it once the attempt ends.');
    this.store.remove(id);
    return { discarded: true };
  }

  environment(environment: Environment): EnvironmentSettings {
    const source = this.deps.secrets.source(environment);
    return { environment, url: this.store.environmentUrl(environment), hasToken: this.deps.secrets.get(environment) !== null, tokenSource: source };
  }

  environments(): EnvironmentSettings[] {
    return ENVIRONMENTS.map((e) => this.environment(e));
  }

  setEnvironment(environment: Environment, url: string | null, token?: string): EnvironmentSettings {
    const { secrets } = this.deps;
    const previous = this.store.environmentUrl(environment);
    this.store.setEnvironmentUrl(environment, url);
    const origin = url === null ? null : originOf(url);
    if (token !== undefined) secrets.set(environment, token, origin);
    else if (secrets.get(environment) !== null) {
      // The held token belongs to the server it was entered for: another origin asks for it again.
      const held = secrets.origin(environment) ?? (previous === null ? null : originOf(previous));
      if (held !== null && origin !== held) secrets.forget(environment);
    }
    // Items waiting on a wrong URL or a missing token may go now.
    this.sender.kick();
    return this.environment(environment);
  }
}

/**
 * Stores messages as already published at version 1, each at its own instant: the demo's examples,
 * which no server ever received (publishing one again from the app sends version 2).
 */
export function recordPublishedExamples(db: Db, examples: readonly { message: MessageDraft; targetName: string; rule: Rule; at: number }[]): void {
  const store = createMessageStore(db);
  for (const { message, targetName, rule, at } of examples) {
    store.save(message, targetName, at);
    store.recordPublished(message.id, 1, JSON.stringify(buildPublishBody(message, rule, 1)), 'running', at);
  }
}
