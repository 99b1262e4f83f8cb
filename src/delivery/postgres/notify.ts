/**
 * The change feed between nodes of one PostgreSQL database (issue 20), over LISTEN/NOTIFY on one channel:
 *
 * - `messages`: a publish, pause, resume, end or delete. Every other node reloads its live message set.
 * - `users`: users whose stored profile changed (records, group calls, assignments, erasure, pruning), in
 *   batches: a node collects the ids of one turn of its event loop and sends them in as few notifications
 *   as fit PostgreSQL's payload limit, in one round trip. Every other node drops those users' cached profiles.
 *
 * A notification carries the sending node's id, so a node skips its own (it changed its memory already).
 * NOTIFY is delivered only to connections listening at the time, and only after the sending transaction
 * commits: a node whose listening connection dropped may have missed changes, so after every connect
 * (the first one too) the feed LISTENs first and then calls onReload, which reloads everything (the live
 * messages, and the whole profile cache is dropped). Then nothing sent after the LISTEN is missed, and
 * nothing sent before it matters.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { deliveryClientConfig, type DeliveryDatabase } from './connection';

export const CHANGE_CHANNEL = 'guidepost_delivery_changes';

/** NOTIFY's payload must stay under 8000 bytes; ids are batched to below this. */
const MAX_PAYLOAD_BYTES = 7000;

export type Change = { kind: 'messages' } | { kind: 'users'; userIds: string[] };

interface Payload {
  from: string;
  kind: Change['kind'];
  userIds?: string[];
}

/** The notifications for a batch of changed users: each one a JSON payload under MAX_PAYLOAD_BYTES. */
export function userPayloads(from: string, userIds: readonly string[]): string[] {
  const payloads: string[] = [];
  let batch: string[] = [];
  let bytes = 0;
  const overhead = Buffer.byteLength(JSON.stringify({ from, kind: 'users', userIds: [] }));
  for (const id of userIds) {
    const size = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (batch.length > 0 && overhead + bytes + size > MAX_PAYLOAD_BYTES) {
      payloads.push(JSON.stringify({ from, kind: 'users', userIds: batch } satisfies Payload));
      batch = [];
      bytes = 0;
    }
    batch.push(id);
    bytes += size;
  }
  if (batch.length > 0) payloads.push(JSON.stringify({ from, kind: 'users', userIds: batch } satisfies Payload));
  return payloads;
}

export interface ChangeNotifier {
  /** Tells every other node that the message set changed; resolves once sent. */
  messagesChanged(): Promise<void>;
  /** Queues changed users; they are sent together at the end of this turn of the event loop. */
  usersChanged(userIds: Iterable<string>): void;
  /** Sends the queued users now (before the node closes). */
  flush(): Promise<void>;
}

export function createChangeNotifier(pool: pg.Pool, nodeId: string, onError: (err: Error) => void = () => undefined): ChangeNotifier {
  let queued = new Set<string>();
  let scheduled = false;
  const send = async (payloads: string[]): Promise<void> => {
    if (payloads.length === 0) return;
    await pool.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [CHANGE_CHANNEL, payloads]);
  };
  const flush = async (): Promise<void> => {
    scheduled = false;
    if (queued.size === 0) return;
    const users = [...queued];
    queued = new Set();
    await send(userPayloads(nodeId, users));
  };
  return {
    messagesChanged: () => send([JSON.stringify({ from: nodeId, kind: 'messages' } satisfies Payload)]),
    usersChanged(userIds) {
      for (const id of userIds) queued.add(id);
      if (queued.size === 0 || scheduled) return;
      scheduled = true;
      setImmediate(() => {
        flush().catch((err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
      });
    },
    flush,
  };
}

export interface ChangeFeedOptions {
  /** A new, unconnected client to the database (deliveryClientConfig); one per connection attempt. */
  connect: () => pg.Client;
  nodeId: string;
  /** A change another node made. */
  onChange: (change: Change) => void;
  /** After every connect, once listening: reload everything (changes may have been missed while deaf). */
  onReload: () => void | Promise<void>;
  /** A lost connection or a failed attempt; the feed tries again by itself. */
  onError?: (err: Error) => void;
  /** Wait before the first retry (doubling up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface ChangeFeed {
  /** Resolves after the first connect and reload (rejects if that fails; the feed keeps trying all the same). */
  readonly ready: Promise<void>;
  /** Whether the feed is listening now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const onError = options.onError ?? (() => undefined);
  const firstRetry = options.retryMs ?? 250;
  const maxRetry = options.maxRetryMs ?? 5000;
  let client: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let retryMs = firstRetry;
  let timer: NodeJS.Timeout | null = null;

  const receive = (message: pg.Notification): void => {
    if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
    let payload: Payload;
    try {
      payload = JSON.parse(message.payload) as Payload;
    } catch {
      onError(new Error(`the change feed received a payload that is not JSON: ${message.payload.slice(0, 80)}`));
      return;
    }
    if (payload.from === options.nodeId) return;
    if (payload.kind === 'messages') options.onChange({ kind: 'messages' });
    else if (payload.kind === 'users' && Array.isArray(payload.userIds)) options.onChange({ kind: 'users', userIds: payload.userIds.filter((id) => typeof id === 'string') });
  };

  const lost = (current: pg.Client, err: Error | null): void => {
    if (client !== current) return;
    client = null;
    listening = false;
    current.removeAllListeners('notification');
    current.end().catch(() => undefined);
    if (closed) return;
    if (err) onError(err);
    timer = setTimeout(() => {
      timer = null;
      connect().catch(() => undefined);
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, maxRetry);
  };

  const connect = async (): Promise<void> => {
    const current = options.connect();
    client = current;
    current.on('notification', receive);
    current.on('error', (err) => lost(current, err));
    current.on('end', () => lost(current, new Error('the change feed lost its connection to the database')));
    try {
      await current.connect();
      await current.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (closed || client !== current) return;
      listening = true;
      retryMs = firstRetry;
      await options.onReload();
    } catch (err) {
      lost(current, err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  };

  const ready = connect();
  ready.catch(() => undefined);
  return {
    ready,
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const current = client;
      client = null;
      listening = false;
      if (current) await current.end().catch(() => undefined);
    },
  };
}

/** What a server does with the changes of the other nodes of its database (server.ts). */
export interface NodeChangeHandlers {
  /** Another node changed the message set: reload it. */
  onMessages: () => void;
  /** Another node changed these users' stored profiles: drop the cached copies. */
  onUsers: (userIds: readonly string[]) => void;
  /** (Re)connected: changes may have been missed, so drop every cached profile and reload the messages. */
  onReload: () => void | Promise<void>;
}

/**
 * One node's end of the change feed: tells the other nodes what it changed (ChangeNotifier) and, once
 * listening, hears what they changed (ChangeFeed). The server holds it as `changes` (server.ts).
 */
export interface NodeChanges extends ChangeNotifier {
  /** This node's id in the notifications (its own are skipped). */
  readonly nodeId: string;
  /** Starts listening; the feed reconnects by itself after a lost connection. */
  listen(handlers: NodeChangeHandlers, onError: (err: Error) => void): ChangeFeed;
}

/** The change feed of a node over `pool` (notifications) and a client of its own per connection (`connect`: LISTEN). */
export function createNodeChanges(pool: pg.Pool, connect: () => pg.Client, nodeId: string, onError: (err: Error) => void = () => undefined): NodeChanges {
  const notifier = createChangeNotifier(pool, nodeId, onError);
  return {
    ...notifier,
    nodeId,
    listen: (handlers, onFeedError) =>
      createChangeFeed({
        connect,
        nodeId,
        onChange: (change) => (change.kind === 'messages' ? handlers.onMessages() : handlers.onUsers(change.userIds)),
        onReload: handlers.onReload,
        onError: onFeedError,
      }),
  };
}

/** A node's change feed on the delivery database: notifications through the engine's pool, LISTEN on a connection of its own. */
export function createPostgresNodeChanges(pool: pg.Pool, database: DeliveryDatabase, onError: (err: Error) => void = () => undefined): NodeChanges {
  return createNodeChanges(pool, () => new pg.Client(deliveryClientConfig(database, {}, 'guidepost-delivery-changes')), randomUUID(), onError);
}
