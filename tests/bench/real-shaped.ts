/**
 * The import benchmark's files (npm run bench:import; tests/unit/bench-files.test.ts checks their shape):
 *   - today's file: the benchmark's original flat records, written the way JSON.stringify writes them;
 *   - real-shaped records as Segment's archives and warehouses write them: about 1 KB each, a nested
 *     context (library, page, userAgent, ip, locale, sometimes a campaign), integrations, the four time
 *     fields, a messageId, an anonymousId and, once the visitor has identified, a userId; a mix of track,
 *     page and identify calls; which optional fields appear is random; one record in 25 is one of the
 *     fixture suite's payload forms (tests/unit/fixtures/spec-payloads.ts) re-addressed to a visitor;
 *     - compact, keys in alphabetical order at every level (archives and warehouses sort them);
 *     - Python's spaced JSON (`json.dumps`: `", "` and `": "`, non-ASCII as \u escapes), keys in a random
 *       order per record and per object;
 *   - many users: today's shape with ids drawn from a pool of UUID users (the memory test).
 * Every file is deterministic for its size (seeded), except today's file's messageIds (random UUIDs, as ever).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { Random } from '../../src/shared/random';
import { CONTEXT_TRAITS_RECORDS, HTTP_API_BODIES, orderCompleted, RUDDERSTACK_TIME_FORMS } from '../unit/fixtures/spec-payloads';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Writes lines to a file through a buffer of about 1 MB. */
function writeLines(path: string, count: number, line: (i: number) => string): void {
  const fd = openSync(path, 'w');
  let buffer = '';
  for (let i = 0; i < count; i++) {
    buffer += `${line(i)}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  }
  writeSync(fd, buffer);
  closeSync(fd);
}

const TODAY_NAMES = ['report_run', 'task_created', 'task_completed', 'login', 'project_viewed', 'comment_added', 'invite_sent', 'export_csv'];

/** Today's benchmark file: flat track and identify calls, 10 % identify, 50,000 users, 90 days. */
export function writeTodaysFile(path: string, events: number): void {
  const rng = new Random(42);
  const start = Date.UTC(2026, 3, 1);
  writeLines(path, events, (i) => {
    const user = `u_${rng.int(1, 50_000)}`;
    const ts = new Date(start + Math.floor((i / events) * 90 * 86_400_000)).toISOString();
    const record =
      i % 10 === 0
        ? { type: 'identify', messageId: randomUUID(), userId: user, timestamp: ts, traits: { plan: rng.pick(['free', 'starter', 'growth']), seats: rng.int(1, 50) } }
        : {
            type: 'track',
            messageId: randomUUID(),
            userId: user,
            event: rng.pick(TODAY_NAMES),
            timestamp: ts,
            properties: { format: rng.pick(['pdf', 'csv', 'web']), count: rng.int(1, 100), source: 'web' },
          };
    return JSON.stringify(record);
  });
}

/** `events` of today's shape from `users` UUID users (one record in ten an identify call): the memory run. */
export function writeManyUsersFile(path: string, events: number, users: number): void {
  const rng = new Random(7);
  const pool = Array.from({ length: users }, () => uuid(rng));
  const start = Date.UTC(2026, 3, 1);
  writeLines(path, events, (i) => {
    const user = rng.pick(pool);
    const ts = new Date(start + Math.floor((i / events) * 90 * 86_400_000)).toISOString();
    const record =
      i % 10 === 0
        ? { type: 'identify', messageId: uuid(rng), userId: user, timestamp: ts, traits: { plan: rng.pick(['free', 'starter', 'growth']), seats: rng.int(1, 50) } }
        : { type: 'track', messageId: uuid(rng), userId: user, event: rng.pick(TODAY_NAMES), timestamp: ts, properties: { format: rng.pick(['pdf', 'csv', 'web']), count: rng.int(1, 100) } };
    return JSON.stringify(record);
  });
}

function hex(rng: Random, digits: number): string {
  let out = '';
  for (let k = 0; k < digits; k++) out += '0123456789abcdef'[Math.floor(rng.next() * 16)];
  return out;
}

function uuid(rng: Random): string {
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${'89ab'[rng.int(0, 3)]}${hex(rng, 3)}-${hex(rng, 12)}`;
}

const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
];
const PAGES: { path: string; title: string }[] = [
  { path: '/', title: 'Acme Analytics – Product analytics for B2B teams' },
  { path: '/pricing', title: 'Pricing – Acme Analytics' },
  { path: '/docs/getting-started', title: 'Getting started · Acme Docs' },
  { path: '/blog/segment-vs-rudderstack', title: 'Segment vs RudderStack: what we learned' },
  { path: '/app/reports', title: 'Reports | Acme' },
  { path: '/app/projects/42/settings', title: 'Project settings | Acme' },
  { path: '/customers/initech', title: 'How Initech cut churn by 18 %' },
  { path: '/de/preise', title: 'Preise – Acme Analytics für Teams' },
];
const REFERRERS = ['', 'https://www.google.com/', 'https://www.linkedin.com/', 'https://news.ycombinator.com/', 'https://acme.example/blog/', 'https://duckduckgo.com/'];
const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP', 'pt-BR'];
const TIMEZONES = ['America/New_York', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo', 'America/Los_Angeles'];
const LIBRARIES = [
  { name: 'analytics.js', version: 'next-1.64.0' },
  { name: 'analytics-node', version: '6.2.0' },
  { name: '@segment/analytics-node', version: '3.1.0' },
];
const EVENTS: { name: string; properties: (rng: Random) => JsonObject }[] = [
  { name: 'Report Run', properties: (rng) => ({ format: rng.pick(['pdf', 'csv', 'web']), rows: rng.int(1, 50_000), report_id: `rep_${hex(rng, 10)}`, scheduled: rng.chance(0.3) }) },
  { name: 'Task Created', properties: (rng) => ({ project_id: `prj_${rng.int(1, 900)}`, priority: rng.pick(['low', 'medium', 'high']), assignees: rng.int(0, 4) }) },
  { name: 'Signed Up', properties: (rng) => ({ plan: rng.pick(['free', 'starter', 'growth']), source: rng.pick(['organic', 'paid', 'referral']) }) },
  { name: 'Product Viewed', properties: (rng) => ({ product_id: `p-${rng.int(1, 5000)}`, sku: `SKU-${hex(rng, 6)}`, category: rng.pick(['Games', 'Books', 'Tools']), price: rng.int(100, 99_999) / 100, currency: 'USD' }) },
  { name: 'Button Clicked', properties: (rng) => ({ label: rng.pick(['Start trial', 'Book a demo', 'Upgrade']), location: rng.pick(['header', 'hero', 'footer']) }) },
  { name: 'Invite Sent', properties: (rng) => ({ invitee_role: rng.pick(['admin', 'member', 'viewer']), seats_left: rng.int(0, 40) }) },
];
const PLANS = ['free', 'starter', 'growth', 'enterprise'];
const FIRST_NAMES = ['Peter', 'Samir', 'Michael', 'Joanna', 'Milton', 'Bill', 'Zoë', 'Jürgen'];
const COMPANIES = ['Initech', 'Initrode', 'Chotchkie’s', 'Penetrode', 'Acme GmbH'];

/** A visitor: an anonymous id from the first visit, and the user id it identifies as at `identifiesAt` (a share of the file). */
interface Visitor {
  anonymousId: string;
  userId: string;
  identifiesAt: number;
}

/** Visitors per million records; about half of them identify somewhere in the file. */
const VISITORS_PER_MILLION = 60_000;
/** One record in this many is a fixture suite payload form. */
const FIXTURE_EVERY = 25;

/** The fixture suite's payload forms the generator mixes in (all but the one with no inferable type). */
const FIXTURE_FORMS: Record<string, unknown>[] = [
  ...HTTP_API_BODIES.filter((body) => body.messageId !== 'xx-1'),
  ...RUDDERSTACK_TIME_FORMS,
  ...CONTEXT_TRAITS_RECORDS.slice(0, 4),
];

/** An instant written the way `form` writes one: ISO with a zone, zone-less, or epoch seconds. */
function timeLike(form: unknown, ms: number): Json {
  const iso = new Date(ms).toISOString();
  if (typeof form === 'number') return Math.floor(ms / 1000);
  if (typeof form === 'string' && !/[zZ]$|[+-]\d\d:?\d\d$/.test(form)) return iso.slice(0, 19).replace('T', ' ');
  return iso;
}

const TIME_KEYS = new Set(['timestamp', 'originalTimestamp', 'sentAt', 'receivedAt']);

/** A fixture payload form addressed to `visitor` at `ms`, with its own messageId. */
function fromFixture(rng: Random, visitor: Visitor, ms: number, index: number): JsonObject {
  const pick = rng.int(0, FIXTURE_FORMS.length);
  const form = pick === FIXTURE_FORMS.length ? orderCompleted('x', rng.int(1, 6)) : (FIXTURE_FORMS[pick] as Record<string, unknown>);
  const record = structuredClone(form) as JsonObject;
  for (const key of Object.keys(record)) {
    if (TIME_KEYS.has(key)) record[key] = timeLike(record[key], ms + (key === 'sentAt' ? 1000 : key === 'receivedAt' ? -4000 : 0));
  }
  record.messageId = `fx-${index}-${hex(rng, 8)}`;
  record.userId = visitor.userId;
  if ('anonymousId' in record || 'previousId' in record) record[('anonymousId' in record ? 'anonymousId' : 'previousId')] = visitor.anonymousId;
  if (pick === FIXTURE_FORMS.length) (record.properties as JsonObject).order_id = `ord-${hex(rng, 10)}`;
  return record;
}

/** The real-shaped record number `index` of a file of `count`, its visitors drawn from `visitors`. */
function realRecord(rng: Random, visitors: Visitor[], index: number, count: number): JsonObject {
  const share = index / count;
  const visitor = visitors[Math.floor(rng.next() * visitors.length)] as Visitor;
  const ms = Date.UTC(2026, 0, 5) + Math.floor(share * 60 * 86_400_000) + rng.int(0, 59_999);
  if (index % FIXTURE_EVERY === FIXTURE_EVERY - 1) return fromFixture(rng, visitor, ms, index);
  const identified = share >= visitor.identifiesAt;
  // A visitor about to identify does so now: an identify call between their anonymous and known records.
  const roll = rng.next();
  const type = identified && roll < 0.15 ? 'identify' : roll < 0.45 ? 'page' : 'track';
  const page = rng.pick(PAGES);
  const referrer = rng.pick(REFERRERS);
  const search = rng.chance(0.3) ? `?utm_source=${rng.pick(['google', 'newsletter', 'linkedin'])}&utm_medium=${rng.pick(['cpc', 'email', 'social'])}` : '';
  const context: JsonObject = {
    ip: `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    library: rng.pick(LIBRARIES),
    locale: rng.pick(LOCALES),
    page: { path: page.path, referrer, search, title: page.title, url: `https://acme.example${page.path}${search}` },
    userAgent: rng.pick(USER_AGENTS),
  };
  if (search !== '' && rng.chance(0.8)) context.campaign = { medium: search.includes('cpc') ? 'cpc' : 'email', name: `spring-${rng.int(2024, 2026)}`, source: search.split('=')[1]?.split('&')[0] ?? 'google' };
  if (rng.chance(0.5)) context.timezone = rng.pick(TIMEZONES);
  if (rng.chance(0.3)) context.screen = { density: rng.pick([1, 2, 3]), height: rng.pick([768, 900, 1080]), width: rng.pick([1366, 1440, 1920]) };
  const sent = ms + rng.int(50, 3000);
  const record: JsonObject = {
    anonymousId: visitor.anonymousId,
    channel: 'client',
    context,
    integrations: rng.chance(0.6) ? {} : { All: true, 'Google Analytics': rng.chance(0.5), Mixpanel: false },
    messageId: rng.chance(0.7) ? `ajs-next-${hex(rng, 32)}` : uuid(rng),
    originalTimestamp: new Date(ms).toISOString(),
    receivedAt: new Date(sent + rng.int(20, 400)).toISOString(),
    sentAt: new Date(sent).toISOString(),
    type,
    version: rng.chance(0.8) ? 2 : 1.1,
  };
  // Warehouses and archives hold `timestamp` as a rule; SDK captures without one still occur.
  if (rng.chance(0.9)) record.timestamp = new Date(ms).toISOString();
  if (identified) record.userId = visitor.userId;
  if (type === 'track') {
    const event = rng.pick(EVENTS);
    record.event = event.name;
    record.properties = event.properties(rng);
  } else if (type === 'page') {
    record.name = page.title.split(/ [–|·:] /)[0] ?? page.title;
    record.properties = { path: page.path, referrer, search, title: page.title, url: `https://acme.example${page.path}${search}` };
  } else {
    record.traits = { email: `${visitor.userId}@acme-customer.example`, first_name: rng.pick(FIRST_NAMES), plan: rng.pick(PLANS) };
    if (rng.chance(0.5)) (record.traits as JsonObject).company = rng.pick(COMPANIES);
    if (rng.chance(0.3)) (record.traits as JsonObject).logins = rng.int(1, 400);
  }
  return record;
}

/** `value` with the keys of every object in alphabetical order. */
export function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys(value[key] as Json);
  return out;
}

/** `value` with the keys of every object in a random order. */
function shuffledKeys(rng: Random, value: Json): Json {
  if (Array.isArray(value)) return value.map((item) => shuffledKeys(rng, item));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  for (let k = keys.length - 1; k > 0; k--) {
    const j = rng.int(0, k);
    [keys[k], keys[j]] = [keys[j] as string, keys[k] as string];
  }
  const out: JsonObject = {};
  for (const key of keys) out[key] = shuffledKeys(rng, value[key] as Json);
  return out;
}

/** JSON as Python's json.dumps writes it by default: `", "` and `": "`, and every non-ASCII character as a \u escape. */
export function pythonJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .map((key) => `${pythonString(key)}: ${pythonJson(value[key] as Json)}`)
      .join(', ')}}`;
  }
  return typeof value === 'string' ? pythonString(value) : JSON.stringify(value);
}

function pythonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type RealShapedStyle = 'compact-sorted' | 'python-spaced';

/**
 * `count` real-shaped records: the same records whatever the style (a seed of their own, and the key
 * order drawn from another), as compact alphabetical JSON or as Python's spaced JSON in a random key order.
 */
export function writeRealShapedFile(path: string, count: number, style: RealShapedStyle): void {
  const rng = new Random(2026);
  const orderRng = new Random(99);
  const visitorCount = Math.max(100, Math.round((count / 1_000_000) * VISITORS_PER_MILLION));
  const visitors: Visitor[] = Array.from({ length: visitorCount }, (_, k) => ({
    anonymousId: uuid(rng),
    userId: `usr_${k.toString(36)}${hex(rng, 6)}`,
    identifiesAt: rng.next() * 2,
  }));
  writeLines(path, count, (i) => {
    const record = realRecord(rng, visitors, i, count);
    return style === 'compact-sorted' ? JSON.stringify(sortedKeys(record)) : pythonJson(shuffledKeys(orderRng, record));
  });
}
