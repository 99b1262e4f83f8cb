/**
 * The in-app web SDK: `guidepost.init({host, key, userId, userHash, traits})`, `guidepost.identify(userId, traits, {userHash})`,
 * `guidepost.track(name, properties)`, `guidepost.page()`, `guidepost.group(groupId, traits)`. Built to out/sdk/guidepost.js (a classic script defining window.guidepost) and
 * out/sdk/guidepost.mjs (an ES module); see src/sdk/README.md.
 *
 * Records get a messageId when they are made and keep it through every retry, so the server stores
 * each once however often it arrives. They wait in a bounded localStorage queue (queue.ts) until the
 * server has them: flushed a moment after the last call, at once for what a message reports, with
 * exponential backoff while the server cannot be reached, and with fetch keepalive when the page is
 * hidden or left (sendBeacon cannot send the key header).
 *
 * Verified identity: each record is queued with the userHash of the user it was made for, and a request
 * carries the records of one user and hash only, so a user switch never sends a record under another's hash.
 *
 * Every page view and tracked event asks /v1/decide what to show; per placement (one blocking message,
 * one banner, one slideout), the first message not yet shown on this page is rendered: modals and NPS
 * surveys by render.ts, in the core, the other kinds by kinds.ts, a chunk loaded the first time one is
 * needed. What the user does with it comes back as tracked events.
 */
import { backoffMs, nextBatch, RecordQueue, type QueuedRecord } from './queue';
import { callToAction, drawModal, drawNps, mountMessage, renderFrame, renderMarkdown, renderMessage, thankYou, type RenderOptions, type SdkMessage } from './render';
import { uuid } from './uuid';
import { trimPageUrl, trimReferrer } from '../shared/page-url';
import { placementOf, type Placement } from '../shared/messages/placement';
import type { MessageKind } from '../shared/messages/model';

export { renderMessage, mountMessage, renderMarkdown } from './render';
export type { MessageEventName, MountedMessage, RenderedMessage, RenderHandlers, RenderOptions, SdkMessage } from './render';

/**
 * The kinds chunk's version: a content hash of out/sdk/guidepost-kinds.js, written in by the build
 * (vite.config.ts); the delivery server serves the chunk at /sdk/<version>/guidepost-kinds.js.
 */
declare const __GP_KINDS_VERSION__: string;

export interface InitOptions {
  /** The delivery server's origin, such as https://delivery.example.com. */
  host: string;
  /** The public key (X-Guidepost-Key); never the admin token. */
  key: string;
  userId: string | number;
  /**
   * HMAC-SHA256(identity secret, userId) in hex, computed by your backend, for a delivery server that
   * verifies identities (sent as X-Guidepost-User-Hash).
   */
  userHash?: string;
  traits?: Record<string, unknown>;
  /** Which published messages to ask for; the server's default is production. */
  environment?: 'production' | 'staging';
  /** Records a page view (and asks what to show) once identified. Default true. */
  page?: boolean;
  theme?: RenderOptions['theme'];
  /**
   * The language to show messages in (a BCP 47 tag such as 'fr' or 'pt-BR'); default the browser's
   * languages. A message without that language shows its default one.
   */
  locale?: string;
  /**
   * Query parameters the page's address may carry to the server, such as ['utm_source']. Default none:
   * only the origin and path are sent, never the fragment, and the referrer only as its origin.
   */
  urlParams?: string[];
}

type Properties = Record<string, unknown>;

interface Config {
  host: string;
  key: string;
  userId: string;
  userHash?: string;
  environment?: string;
  theme?: RenderOptions['theme'];
  locale?: string;
  urlParams: string[];
}

/** Records per /v1/track call, and its body's bytes (a keepalive request may carry 64 KiB in all). */
const BATCH = 100;
const BATCH_BYTES = 400_000;
const KEEPALIVE_BYTES = 60_000;
const FLUSH_DELAY_MS = 1000;

let config: Config | null = null;
let queue = new RecordQueue(null, '');
/** Calls made before init, replayed once it has identified the user. */
const early: (() => void)[] = [];
let sending = false;
let attempt = 0;
let flushTimer: ReturnType<typeof setTimeout> | undefined;
/** Messages already shown (or about to be) on this page: decide may name one again before its message_shown lands. */
const seen = new Set<string>();
/** The placements on screen: one blocking message, one banner and one slideout at a time (placement.ts). */
const showing = new Set<Placement>();
/** The kinds this SDK shows; the first two are drawn by the core. */
const KINDS = ['modal', 'nps', 'survey', 'banner', 'slideout'];
let kinds: Promise<typeof renderMessage> | undefined;
let warned = false;

const plain = (value: unknown): Properties => (value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Properties) } : {});

/** `userHash`: the hash of the user the body is for (by default the current user's). */
function post(path: string, body: unknown, keepalive = false, userHash = (config as Config).userHash): Promise<Response> {
  const { host, key } = config as Config;
  return fetch(host + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Guidepost-Key': key, ...(userHash && { 'X-Guidepost-User-Hash': userHash }) },
    body: JSON.stringify(body),
    credentials: 'omit',
    keepalive,
  });
}

function schedule(delay: number): void {
  // While retrying, the retry timer decides when the next attempt is.
  if (attempt > 0) return;
  clearTimeout(flushTimer);
  flushTimer = setTimeout(flush, delay);
}

/**
 * Sends what is queued, oldest first, until the queue is empty or the server cannot be reached.
 * A record leaves the queue once the server answered it: stored, a duplicate, or refused for good
 * (a 4xx other than 408 and 429 will never succeed). Anything else retries with backoff.
 */
export async function flush(keepalive = false): Promise<void> {
  if (!config || (sending && !keepalive)) return;
  clearTimeout(flushTimer);
  sending = true;
  try {
    for (let records = queue.all(); records.length > 0; records = queue.all()) {
      const next = nextBatch(records, BATCH, keepalive ? KEEPALIVE_BYTES : BATCH_BYTES);
      // The hash each record was queued with goes in the header, not in the body; none ('') for a record
      // queued without one, never the current user's.
      const bodies = next.records.map(({ userHash: _hash, ...record }) => record);
      const first = next.records[0] as QueuedRecord;
      const response = await post(next.alone ? `/v1/${first.type}` : '/v1/track', next.alone ? bodies[0] : { batch: bodies }, keepalive, first.userHash ?? '');
      if (response.status === 408 || response.status === 429 || response.status >= 500) throw response;
      if (!response.ok && !warned) {
        warned = true;
        // Short: every byte of the core counts (8 KB gzipped).
        console.warn(`[guidepost] refused ${next.records.length} record(s) (HTTP ${response.status}): check host, key, userHash, allowed origins`);
      }
      queue.remove(next.records.map((r) => r.messageId));
    }
    attempt = 0;
  } catch (error) {
    attempt += 1;
    const retryAfter = error instanceof Response ? Number(error.headers.get('Retry-After')) * 1000 || 0 : 0;
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, Math.max(backoffMs(attempt), retryAfter));
  } finally {
    sending = false;
  }
}

function enqueue(record: { type: string } & Properties, delay = FLUSH_DELAY_MS): void {
  const { userId, userHash } = config as Config;
  queue.push({ ...record, userId, userHash, messageId: uuid(), timestamp: new Date().toISOString() });
  schedule(queue.all().length >= 20 ? 0 : delay);
}

/**
 * The renderer of the kinds the core does not draw: guidepost-kinds.js, fetched once as a classic
 * script from the delivery server (so script-src needs that origin, as for guidepost.js itself). The
 * chunk takes the core's renderer from `guidepostCore` and defines `guidepostKinds`. A failed load is
 * tried again at the next message.
 */
function loadKinds(): Promise<typeof renderMessage> {
  return (kinds ??= new Promise((resolve, reject) => {
    const globals = globalThis as unknown as { guidepostCore?: unknown; guidepostKinds?: { renderAnyMessage?: typeof renderMessage } };
    // What kinds.ts imports from './render' (vite.kinds.config.ts maps that import to this global).
    globals.guidepostCore = { callToAction, drawModal, drawNps, renderFrame, renderMarkdown, thankYou };
    const script = document.createElement('script');
    script.src = `${(config as Config).host}/sdk/${__GP_KINDS_VERSION__}/guidepost-kinds.js`;
    script.onload = () => {
      const render = globals.guidepostKinds?.renderAnyMessage;
      if (render) resolve(render);
      else script.onerror?.('');
    };
    script.onerror = () => {
      kinds = undefined;
      reject();
    };
    // An HTML document always has a head (the parser makes one).
    document.head.append(script);
  }));
}

async function decide(event?: { name: string; properties: Properties }): Promise<void> {
  const { userId, environment, theme, locale, urlParams } = config as Config;
  try {
    const response = await post('/v1/decide', { userId, url: trimPageUrl(location.href, urlParams), ...(event && { event }), ...(environment && { environment }) });
    if (!response.ok) return;
    const body = (await response.json()) as { messages?: unknown };
    const list = (Array.isArray(body?.messages) ? body.messages : []) as SdkMessage[];
    for (const message of list) {
      const kind = String(message?.kind);
      // The core draws modals and NPS surveys in the default language (none named); the chunk every other kind,
      // translations, and a message that names its own language (it sets lang, and dir=rtl for Arabic, say).
      const known = KINDS.indexOf(kind);
      const content = plain(message.content);
      const inCore = known >= 0 && known < 2 && !content.translations && !content.locale;
      if (known < 0 || seen.has(String(message.id))) continue;
      // A new message is shown when its placement is free.
      const placement = placementOf(kind as MessageKind);
      if (showing.has(placement)) continue;
      seen.add(String(message.id));
      showing.add(placement);
      const trigger = message.trigger as { delaySeconds?: unknown } | undefined;
      const delay = Math.min(86_400, Number(message.delaySeconds ?? trigger?.delaySeconds) || 0);
      setTimeout(async () => {
        let shown = null;
        try {
          const render = inCore ? renderMessage : await loadKinds();
          const handlers = { onEvent: (name: string, properties: Properties) => enqueue({ type: 'track', event: name, properties }, 0), onClose: () => showing.delete(placement) };
          shown = mountMessage(message, handlers, { theme, locale }, render);
        } catch {
          // The chunk did not load: nothing shown this time.
        } finally {
          if (!shown) showing.delete(placement);
        }
      }, delay * 1000);
    }
  } catch {
    // Offline or a bad answer: nothing to show this time.
  }
}

function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked by the browser's privacy settings
  }
}

/**
 * Identifies the user (their traits reach the server before anything is decided), then records a
 * page view unless `page: false`. Calling it again switches the user.
 */
export async function init(options: InitOptions): Promise<void> {
  const host = String(options?.host ?? '').replace(/\/+$/, '');
  const userId = options?.userId;
  if (!/^https?:\/\//.test(host) || !options.key || (typeof userId !== 'string' && typeof userId !== 'number') || userId === '') {
    console.warn('[guidepost] init needs an http(s) host, a key and a userId.');
    return;
  }
  if (!config) {
    addEventListener('online', () => {
      attempt = 0;
      void flush();
    });
    addEventListener('pagehide', () => void flush(true));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void flush(true);
    });
  }
  config = { host, key: options.key, userId: '', environment: options.environment, theme: options.theme, locale: typeof options.locale === 'string' ? options.locale : undefined, urlParams: Array.isArray(options.urlParams) ? options.urlParams.map(String) : [] };
  queue = new RecordQueue(localStore(), `guidepost:queue:${host}`);
  await identify(userId, options.traits, options);
  for (const call of early.splice(0)) call();
  if (options.page !== false) page();
}

/**
 * Sends the user's traits, at once. With another userId it switches the user: what is queued stays
 * under the user (and userHash) it was made for, and what comes next is for this one. `userHash` is
 * this user's (kept when the user stays the same and none is given).
 */
export async function identify(userId: string | number, traits?: Properties, options?: { userHash?: string }): Promise<void> {
  if ((typeof userId !== 'string' && typeof userId !== 'number') || userId === '') return;
  if (!config) {
    early.push(() => void identify(userId, traits, options));
    return;
  }
  const id = String(userId);
  const userHash = options?.userHash;
  if (id !== config.userId || userHash) config = { ...config, userId: id, userHash: userHash ? String(userHash) : undefined };
  enqueue({ type: 'identify', traits: plain(traits) }, 0);
  await flush();
}

/**
 * Says the user belongs to the account `groupId` (a company, a workspace) and sets some of its traits,
 * for account conditions in segment rules. Sent at once, like identify, before any later record; await
 * it before asking for a message that depends on it. The groupId is taken as the page's claim.
 */
export async function group(groupId: string | number, traits?: Properties): Promise<void> {
  if ((typeof groupId !== 'string' && typeof groupId !== 'number') || groupId === '') return;
  if (!config) {
    early.push(() => void group(groupId, traits));
    return;
  }
  enqueue({ type: 'group', groupId: String(groupId), traits: plain(traits) }, 0);
  await flush();
}

/** Records an event and asks what to show for it. */
export function track(name: string, properties?: Properties): void {
  if (typeof name !== 'string' || !name.trim()) return;
  if (!config) {
    early.push(() => track(name, properties));
    return;
  }
  const props = plain(properties);
  enqueue({ type: 'track', event: name, properties: props });
  void decide({ name, properties: props });
}

/** Records a page view (call it on every route change of a single-page app) and asks what to show. */
export function page(properties?: Properties): void {
  if (!config) {
    early.push(() => page(properties));
    return;
  }
  // Origin and path only, plus allow-listed query parameters: query strings and fragments carry secrets.
  const url = trimPageUrl(location.href, (config as Config).urlParams);
  const search = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  enqueue({ type: 'page', properties: { url, path: location.pathname, search, title: document.title, referrer: trimReferrer(document.referrer), ...plain(properties) } });
  void decide();
}
