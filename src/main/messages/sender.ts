/**
 * The outbox sender: delivers queued changes to each environment's delivery API, oldest first per
 * message, with the item's own Idempotency-Key on every attempt. Network errors, 5xx and 429 are
 * retried with exponential backoff and full jitter (429's Retry-After honoured) for as long as it
 * takes: offline is a normal state. Any other 4xx stops the item with the server's reason; a 409 keeps
 * the server's stored message beside ours and overwrites nothing.
 */
import type { Environment, OutboxItem } from '../../shared/messages/model';
import { retryAfterMs } from '../../shared/retry-after';
import { insecureTokenUrlReason, originOf } from '../../shared/secure-url';
import type { SecretStore } from './secrets';
import { missingFromEcho } from './publish-body';
import { toOutboxItem, type MessageStore, type OutboxRow } from './store';

export interface SenderOptions {
  store: MessageStore;
  secrets: SecretStore;
  clock: () => number;
  emit: (item: OutboxItem) => void;
  fetch?: typeof fetch;
  /** Full jitter: the wait is random() × the exponential step. */
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One attempt's time limit. */
  timeoutMs?: number;
  /** True while another writer holds the cache's transaction: the pass waits for it. */
  busy?: () => boolean;
  /** Whether the cache can still be used (false once closed). */
  isOpen?: () => boolean;
  onError?: (err: unknown) => void;
}

export interface PassOptions {
  /** Try every pending item now, whatever its next attempt time (Retry, the CLI). */
  ignoreWait?: boolean;
  /** Only these messages' items. */
  messageIds?: ReadonlySet<string>;
}

const MIN_DELAY_MS = 100;
const IDLE_RECHECK_MS = 60_000;

/** Node's fetch says only "fetch failed": the reason is in its cause's code. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing answers there (connection refused); is the delivery server running?',
  ENOTFOUND: 'no such host name',
  EAI_AGAIN: 'the host name could not be looked up (no network?)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host cannot be reached (no route)',
  ENETUNREACH: 'the network cannot be reached (offline?)',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
};

/** Why a request did not reach the server, in words: never the bare "fetch failed". */
export function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer in time';
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  if (code) return `the connection failed (${code})`;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  const message = err instanceof Error ? err.message : String(err);
  return message === '' || message === 'fetch failed' ? 'the connection failed' : message;
}

export function outboxUrl(base: string, messageId: string, op: OutboxRow['op']): string {
  const root = base.replace(/\/+$/, '').replace(/\/v1$/, '');
  const path = `/v1/messages/${encodeURIComponent(messageId)}`;
  return `${root}${op === 'publish' ? path : `${path}/${op}`}`;
}

function errorText(json: unknown, status: number): string {
  const error = typeof json === 'object' && json !== null ? (json as { error?: unknown }).error : undefined;
  return typeof error === 'string' && error !== '' ? error : `HTTP ${status}`;
}

function storedMessage(json: unknown): { state?: unknown; version?: unknown } | null {
  const message = typeof json === 'object' && json !== null ? (json as { message?: unknown }).message : undefined;
  return typeof message === 'object' && message !== null ? (message as { state?: unknown; version?: unknown }) : null;
}

export class OutboxSender {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private readonly fetch: typeof fetch;
  private readonly random: () => number;

  constructor(private readonly o: SenderOptions) {
    this.fetch = o.fetch ?? ((...args) => globalThis.fetch(...args));
    this.random = o.random ?? Math.random;
  }

  /** Starts the background loop: items left "sending" by a crash go back to queued first. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.o.store.resetSending(this.o.clock());
    this.kick();
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Something was queued or retried: run a pass soon (only when the loop runs). */
  kick(): void {
    if (this.started) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.loopPass();
    }, Math.max(0, Math.min(ms, IDLE_RECHECK_MS)));
    this.timer.unref?.();
  }

  private async loopPass(): Promise<void> {
    if (!this.started || this.o.isOpen?.() === false) return;
    if (this.o.busy?.()) {
      this.schedule(1000);
      return;
    }
    try {
      await this.runDue();
      if (!this.started || this.o.isOpen?.() === false) return;
      const next = this.o.store
        .heads()
        .map((h) => h.next_attempt_at ?? 0)
        .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      this.schedule(Number.isFinite(next) ? next - this.o.clock() : IDLE_RECHECK_MS);
    } catch (err) {
      this.o.onError?.(err);
      this.schedule(5000);
    }
  }

  /**
   * Sends every due item once, in order per message: after an item is delivered the message's next one
   * goes in the same pass. Passes never overlap; a call during one waits for it and runs again.
   */
  async runDue(options: PassOptions = {}): Promise<void> {
    while (this.running) await this.running;
    this.running = this.pass(options).finally(() => {
      this.running = null;
    });
    await this.running;
  }

  private async pass(options: PassOptions): Promise<void> {
    const tried = new Set<number>();
    for (;;) {
      if (this.o.isOpen?.() === false) return;
      const now = this.o.clock();
      const due = this.o.store
        .heads()
        .filter((h) => !tried.has(h.id))
        .filter((h) => options.messageIds === undefined || options.messageIds.has(h.message_id))
        .filter((h) => options.ignoreWait === true || (h.next_attempt_at ?? 0) <= now);
      if (due.length === 0) return;
      for (const head of due) {
        tried.add(head.id);
        await this.attempt(head);
      }
    }
  }

  private set(row: OutboxRow, fields: Parameters<MessageStore['update']>[1]): OutboxRow {
    this.o.store.update(row.id, fields, this.o.clock());
    const next = this.o.store.outboxGet(row.id) as OutboxRow;
    this.o.emit(toOutboxItem(next));
    return next;
  }

  /** The wait before the next attempt: max(Retry-After, random × base × 2^(attempts−1), capped). */
  backoffMs(attempts: number, retryAfter: number | null): number {
    const base = this.o.baseDelayMs ?? 1000;
    const cap = this.o.maxDelayMs ?? 5 * 60_000;
    const step = Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
    return Math.max(retryAfter ?? 0, MIN_DELAY_MS, Math.round(step * this.random()));
  }

  /** One attempt at one item; returns the item as it ends up. */
  async attempt(row: OutboxRow): Promise<OutboxRow> {
    const environment: Environment = row.environment;
    const token = this.o.secrets.get(environment);
    if (!token) {
      return this.set(row, {
        state: 'failed',
        next_attempt_at: null,
        last_error: `No ${environment} token is set: add it under Environments, then retry.`,
      });
    }
    // A URL stored before https was required: the token must not travel to it in the clear.
    // (One that does not parse fails below like an unreachable one.)
    const insecure = originOf(row.url) === null ? null : insecureTokenUrlReason(row.url);
    if (insecure !== null) return this.set(row, { state: 'failed', next_attempt_at: null, last_error: `Not sent: ${insecure}` });
    const sending = this.set(row, { state: 'sending', attempts: row.attempts + 1 });
    const retry = (reason: string, retryAfter: number | null = null): OutboxRow =>
      this.set(sending, {
        state: 'queued',
        next_attempt_at: this.o.clock() + this.backoffMs(sending.attempts, retryAfter),
        last_error: reason,
      });
    const url = outboxUrl(row.url, row.message_id, row.op);
    let res: Response;
    try {
      res = await this.fetch(url, {
        method: row.op === 'publish' ? 'PUT' : 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Idempotency-Key': row.idempotency_key,
          Accept: 'application/json',
          ...(row.op === 'publish' ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(row.op === 'publish' && row.body !== null ? { body: row.body } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
      });
    } catch (err) {
      // The URL itself may be what is wrong (a port out of range): say so without throwing again, so
      // the item never stays in 'sending'.
      let where = url;
      try {
        where = new URL(url).origin;
      } catch {
        // Keep the URL as it was given.
      }
      return retry(`Cannot reach ${where}: ${networkReason(err)}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      return retry(`The answer was cut off: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (this.o.isOpen?.() === false) return sending;
    const { status } = res;
    if (status >= 200 && status < 300) {
      const stored = storedMessage(json);
      const state = typeof stored?.state === 'string' ? stored.state : null;
      let dropped: string | null = null;
      if (row.op === 'publish' && row.version !== null && row.body !== null) {
        this.o.store.recordPublished(row.message_id, row.version, row.body, state ?? 'running', this.o.clock());
        dropped = missingFromEcho(JSON.parse(row.body), stored);
      } else if (state !== null) {
        this.o.store.setServerState(row.message_id, state);
      }
      // Delivered all the same; the warning stays on the item for the outbox and the message view to show.
      return this.set(sending, { state: 'published', next_attempt_at: null, last_error: dropped });
    }
    if (status === 429) return retry(`The server is rate limiting (429): ${errorText(json, status)}`, retryAfterMs(res.headers.get('retry-after'), this.o.clock()));
    if (status >= 500) return retry(`The server failed (${status}): ${errorText(json, status)}`);
    if (status === 409) {
      const theirs = storedMessage(json);
      if (typeof theirs?.version === 'number' && Number.isSafeInteger(theirs.version)) this.o.store.noteServerVersion(row.message_id, theirs.version);
      return this.set(sending, {
        state: 'conflict',
        next_attempt_at: null,
        last_error: `Conflict (409): ${errorText(json, status)} Nothing was overwritten.`,
        server_message: JSON.stringify(theirs),
      });
    }
    if (status === 401 || status === 403) {
      return this.set(sending, {
        state: 'failed',
        next_attempt_at: null,
        last_error: `The ${environment} token was refused (${status}): ${errorText(json, status)} Check the token under Environments, then retry.`,
      });
    }
    return this.set(sending, {
      state: 'failed',
      next_attempt_at: null,
      last_error: `The delivery server refused it (${status}): ${errorText(json, status)}`,
    });
  }
}
