/** The messages, message_outbox and message_environments tables (migration 0005). */
import { randomUUID } from 'node:crypto';
import type { Environment, MessageDraft, OutboxItem, OutboxOp, OutboxState } from '../../shared/messages/model';
import type { Db } from '../db/connection';

export interface MessageRow {
  id: string;
  name: string;
  kind: string;
  archived: number;
  document: string;
  target_name: string | null;
  published_version: number | null;
  published_body: string | null;
  server_state: string | null;
  server_version: number | null;
  published_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface OutboxRow {
  id: number;
  message_id: string;
  op: OutboxOp;
  environment: Environment;
  url: string;
  version: number | null;
  body: string | null;
  idempotency_key: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  server_message: string | null;
  created_at: number;
  updated_at: number;
}

/** Not yet settled: waiting for its turn or on the wire. */
export const PENDING: readonly OutboxState[] = ['queued', 'sending'];

export function toOutboxItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    messageId: row.message_id,
    op: row.op,
    environment: row.environment,
    version: row.version,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    serverMessage: row.server_message === null ? null : (JSON.parse(row.server_message) as unknown),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createMessageStore(db: Db) {
  const s = {
    get: db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?'),
    list: db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE archived <= ? ORDER BY updated_at DESC, id'),
    upsert: db.prepare(
      `INSERT INTO messages (id, name, kind, archived, document, target_name, created_at, updated_at)
       VALUES (@id, @name, @kind, @archived, @document, @target_name, @now, @now)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, archived = excluded.archived,
         document = excluded.document, target_name = coalesce(excluded.target_name, messages.target_name), updated_at = excluded.updated_at`,
    ),
    delete: db.prepare<[string]>('DELETE FROM messages WHERE id = ?'),
    published: db.prepare(
      `UPDATE messages SET published_version = @version, published_body = @body, server_state = @state, published_at = @now
       WHERE id = @id AND (published_version IS NULL OR published_version <= @version)`,
    ),
    serverState: db.prepare<[string | null, string]>('UPDATE messages SET server_state = ? WHERE id = ?'),
    serverVersion: db.prepare<[number, string]>('UPDATE messages SET server_version = max(coalesce(server_version, 0), ?) WHERE id = ?'),
    outboxFor: db.prepare<[string], OutboxRow>('SELECT * FROM message_outbox WHERE message_id = ? ORDER BY id DESC'),
    outboxAll: db.prepare<[], OutboxRow>('SELECT * FROM message_outbox ORDER BY id DESC'),
    outboxGet: db.prepare<[number], OutboxRow>('SELECT * FROM message_outbox WHERE id = ?'),
    enqueue: db.prepare(
      `INSERT INTO message_outbox (message_id, op, environment, url, version, body, idempotency_key, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES (@messageId, @op, @environment, @url, @version, @body, @key, 'queued', 0, @now, @now, @now)`,
    ),
    maxVersion: db
      .prepare<[string], number | null>(
        `SELECT max(version) FROM message_outbox WHERE message_id = ? AND op = 'publish' AND state IN ('queued', 'sending', 'published')`,
      )
      .pluck(),
    /** The oldest unsettled item of each message: items of one message go in order. */
    heads: db.prepare<[], OutboxRow>(
      `SELECT o.* FROM message_outbox o
        WHERE o.state IN ('queued', 'sending')
          AND o.id = (SELECT min(p.id) FROM message_outbox p WHERE p.message_id = o.message_id AND p.state IN ('queued', 'sending'))
        ORDER BY coalesce(o.next_attempt_at, 0), o.id`,
    ),
    resetSending: db.prepare<[number]>("UPDATE message_outbox SET state = 'queued', updated_at = ? WHERE state = 'sending'"),
    remove: db.prepare<[number]>('DELETE FROM message_outbox WHERE id = ?'),
    envGet: db.prepare<[string], string | null>('SELECT url FROM message_environments WHERE environment = ?').pluck(),
    envSet: db.prepare<[string, string | null]>(
      'INSERT INTO message_environments (environment, url) VALUES (?, ?) ON CONFLICT (environment) DO UPDATE SET url = excluded.url',
    ),
    retarget: db.prepare<[string, string]>(
      "UPDATE message_outbox SET url = ? WHERE environment = ? AND state IN ('queued', 'failed')",
    ),
  };

  return {
    get: (id: string): MessageRow | undefined => s.get.get(id),
    list: (includeArchived: boolean): MessageRow[] => s.list.all(includeArchived ? 1 : 0),
    save(message: MessageDraft, targetName: string | null, now: number): void {
      s.upsert.run({
        id: message.id,
        name: message.name,
        kind: message.kind,
        archived: message.archived ? 1 : 0,
        document: JSON.stringify(message),
        target_name: targetName,
        now,
      });
    },
    delete: (id: string): void => void s.delete.run(id),
    recordPublished(id: string, version: number, body: string, state: string | null, now: number): void {
      s.published.run({ id, version, body, state, now });
    },
    setServerState: (id: string, state: string | null): void => void s.serverState.run(state, id),
    /** A 409 told us the server holds this version: the next publish must go above it. */
    noteServerVersion: (id: string, version: number): void => void s.serverVersion.run(version, id),
    outboxFor: (id: string): OutboxRow[] => s.outboxFor.all(id),
    outboxAll: (): OutboxRow[] => s.outboxAll.all(),
    outboxGet: (id: number): OutboxRow | undefined => s.outboxGet.get(id),
    /** Queues a change; the Idempotency-Key is made here, once, and reused on every attempt. */
    enqueue(item: { messageId: string; op: OutboxOp; environment: Environment; url: string; version: number | null; body: string | null }, now: number): number {
      const info = s.enqueue.run({ ...item, key: `gp-${randomUUID()}`, now });
      return Number(info.lastInsertRowid);
    },
    /** The highest version queued, on the way, or accepted. */
    maxQueuedVersion: (id: string): number | null => s.maxVersion.get(id) ?? null,
    heads: (): OutboxRow[] => s.heads.all(),
    /** After a crash mid-send: back to queued (the same key makes the resend safe). */
    resetSending: (now: number): number => s.resetSending.run(now).changes,
    update(id: number, fields: Partial<Pick<OutboxRow, 'state' | 'attempts' | 'next_attempt_at' | 'last_error' | 'server_message'>>, now: number): void {
      const keys = Object.keys(fields);
      if (keys.length === 0) return;
      const sets = keys.map((k) => `${k} = @${k}`).join(', ');
      db.prepare(`UPDATE message_outbox SET ${sets}, updated_at = @now WHERE id = @id`).run({ ...fields, id, now });
    },
    remove: (id: number): void => void s.remove.run(id),
    environmentUrl: (environment: Environment): string | null => s.envGet.get(environment) ?? null,
    /**
     * A new URL also applies to what has not been delivered yet: someone fixing a mistyped URL expects
     * the waiting items to go there. Items already published or in conflict keep the server they spoke to.
     */
    setEnvironmentUrl: db.transaction((environment: Environment, url: string | null): void => {
      s.envSet.run(environment, url);
      if (url !== null) s.retarget.run(url, environment);
    }),
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
