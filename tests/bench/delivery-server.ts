/**
 * What both modes of `npm run bench:delivery` share: a built delivery server in its own process (this
 * build's or a baseline's), seeded with the same 100 messages and the same users, and loaded with the
 * same decide requests by autocannon. Every request stays on 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Random } from '../../src/shared/random';
import { onCleanup } from './cleanup';

export const MESSAGES = 100;
export const ADMIN = 'bench-admin-token-0123456789abcdef';
export const KEY = 'bench-public-key-01';
const PLANS = ['free', 'starter', 'growth', 'enterprise'];
/** The event the messages' rules count, so profiles keep it (the attacker's batches use it too). */
export const RULE_EVENT = 'report_run';

/** What a built CLI's `delivery --help` says it takes: a baseline may predate flags this build has. */
export interface CliSupport {
  proxyHops: boolean;
  trustProxy: boolean;
  /** The admin token and public key from GUIDEPOST_ADMIN_TOKEN and GUIDEPOST_PUBLIC_KEY (else only as flags). */
  secretsFromEnv: boolean;
}

export function cliSupport(cli: string): CliSupport {
  const help = execFileSync(process.execPath, [cli, 'delivery', '--help'], { encoding: 'utf8' });
  return { proxyHops: help.includes('--proxy-hops'), trustProxy: help.includes('--trust-proxy'), secretsFromEnv: help.includes('GUIDEPOST_ADMIN_TOKEN') };
}

/**
 * The flags that make a server take the client address from one proxy's X-Forwarded-For, or null when
 * the CLI cannot (then its clients all share 127.0.0.1's bucket, so its rate limit must be off).
 */
export function oneProxyFlags(support: CliSupport): string[] | null {
  if (support.proxyHops) return ['--proxy-hops', '1'];
  if (support.trustProxy) return ['--trust-proxy'];
  return null;
}

export interface DeliveryServer {
  base: string;
  /** The server's start-up line (--json): url, db, allowedOrigins, rateLimit. */
  started: { url: string; rateLimit?: number };
  /** CPU seconds (user + system) the server process has used so far; null where the OS does not say (Linux's /proc only). */
  cpuSeconds(): number | null;
  /** SIGTERM, then waits for the process to exit and removes its database. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Node's own flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
  /**
   * Show at most this many lines of the server's stderr, and how many more there were when it stops
   * (an attacked server logs a line per refused request); absent: all of it.
   */
  logLines?: number;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on every Linux that Node runs on). */
const USER_HZ = 100;

/** A process's CPU seconds so far (user + system), from /proc/<pid>/stat; null without /proc or once it has exited. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name, in parentheses, may hold spaces: the fields counted from after it (utime is field 14, stime 15).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : null;
}

/** Starts `cli delivery` on a free loopback port with a database of its own; `flags` come after the common ones. */
export async function startDeliveryServer(cli: string, flags: readonly string[], options: ServerOptions = {}): Promise<DeliveryServer> {
  const { nodeArgs = [], logLines } = options;
  const support = cliSupport(cli);
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-bench-delivery-'));
  // Secrets through the environment where the CLI reads them there: a flag makes it warn on stderr.
  const secrets = support.secretsFromEnv ? [] : ['--admin-token', ADMIN, '--public-key', KEY];
  const server = spawn(
    process.execPath,
    [...nodeArgs, cli, 'delivery', '--port', '0', '--json', '--db', join(dir, 'delivery.db'), ...secrets, ...flags],
    { stdio: ['ignore', 'pipe', logLines === undefined ? 'inherit' : 'pipe'], env: { ...process.env, GUIDEPOST_ADMIN_TOKEN: ADMIN, GUIDEPOST_PUBLIC_KEY: KEY } },
  );
  let hiddenLines = 0;
  if (logLines !== undefined && server.stderr) {
    let shown = 0;
    createInterface({ input: server.stderr }).on('line', (line) => {
      if (shown++ < logLines) process.stderr.write(`${line}\n`);
      else hiddenLines += 1;
    });
  }
  const forget = onCleanup(() => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    server.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    forget();
    if (hiddenLines > 0) process.stderr.write(`(${hiddenLines.toLocaleString('en-US')} more lines of that server's log not shown)\n`);
  };
  try {
    const started = await new Promise<DeliveryServer['started']>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"url"'));
        if (line) resolve(JSON.parse(line) as DeliveryServer['started']);
      });
      server.once('exit', (code) => reject(new Error(`delivery server (${cli}) exited with ${code}`)));
    });
    return { base: started.url.replace(/\/$/, ''), started, stop, cpuSeconds: () => processCpuSeconds(server.pid) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One admin (Bearer token) or client (public key) call that must succeed; `forwardedFor` sets X-Forwarded-For. */
export async function call(base: string, method: string, path: string, body: unknown, admin = true, forwardedFor?: string): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(admin ? { Authorization: `Bearer ${ADMIN}` } : { 'X-Guidepost-Key': KEY }),
      ...(forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor }),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** 100 messages: a trait condition and an event condition each, page trigger, various priorities. */
export async function publishMessages(base: string): Promise<void> {
  for (let i = 0; i < MESSAGES; i++) {
    await call(base, 'PUT', `/v1/messages/bench-${i}`, {
      kind: i % 2 === 0 ? 'modal' : 'nps',
      content: { title: `Message ${i}`, body: 'Try **Growth**.', cta: { label: 'Upgrade', url: 'https://example.com/up' }, question: 'How likely…?' },
      rule: {
        version: 1,
        match: 'all',
        conditions: [
          { type: 'trait', trait: 'plan', op: 'eq', value: PLANS[i % PLANS.length] },
          { type: 'event', event: RULE_EVENT, op: '>=', count: 1 + (i % 5), within: { days: 30 } },
        ],
      },
      trigger: { page: `https://app.example.com/${i % 10}/*` },
      frequency: { everyDays: 7 },
      rollout: 50 + (i % 50),
      priority: i,
      environment: 'production',
      version: 1,
    });
  }
}

/**
 * Profiles: one identify and four events per user (the same for every seed), sent as track batches of
 * 500 by 4 concurrent senders. `forwardedFor` gives a batch's X-Forwarded-For (for a server whose rate
 * limit is on). Returns the records sent and the seconds they took.
 */
export async function seedProfiles(base: string, users: number, forwardedFor?: (batchIndex: number) => string): Promise<{ records: number; seconds: number }> {
  const rng = new Random(7);
  const now = Date.now();
  const batches: unknown[][] = [];
  let batch: unknown[] = [];
  let seq = 0;
  const push = (record: unknown): void => {
    batch.push(record);
    if (batch.length === 500) {
      batches.push(batch);
      batch = [];
    }
  };
  for (let u = 0; u < users; u++) {
    const userId = `u${u}`;
    push({ type: 'identify', userId, messageId: `b-${seq++}`, timestamp: new Date(now - 86_400_000).toISOString(), traits: { plan: rng.pick(PLANS) } });
    for (let e = 0; e < 4; e++) {
      push({ type: 'track', userId, event: RULE_EVENT, messageId: `b-${seq++}`, timestamp: new Date(now - rng.int(1, 40) * 86_400_000).toISOString(), properties: { format: 'pdf' } });
    }
  }
  if (batch.length > 0) batches.push(batch);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const index = next++;
        await call(base, 'POST', '/v1/track', { batch: batches[index] }, false, forwardedFor?.(index));
      }
    }),
  );
  return { records: seq, seconds: (performance.now() - started) / 1000 };
}

export interface DecideLoad {
  base: string;
  users: number;
  connections: number;
  seconds: number;
  /** The X-Forwarded-For of a request for user index `u` (each normal user at an address of its own); absent: none sent. */
  forwardedFor?: (user: number) => string;
  /** Called with every response's status and its latency in ms (fractional, unlike the result's histogram). */
  onResponse?: (statusCode: number, latencyMs: number) => void;
  /**
   * Called when the run ends with each request still unanswered, and how long it has waited (ms): a
   * stalled server's slowest requests are these, and autocannon's figures leave them out.
   */
  onUnanswered?: (waitedMs: number) => void;
  /** A request unanswered this long counts as an error and is sent again (autocannon's default: 10 s). */
  timeoutSeconds?: number;
}

/** The normal clients: POST /v1/decide for a random user on a random page, `connections` at once, for `seconds`. */
export function decideLoad(load: DecideLoad): Promise<autocannon.Result> {
  const { base, users, connections, seconds, forwardedFor, onResponse, onUnanswered, timeoutSeconds } = load;
  /** Per connection: when its request in flight was sent (one at a time: no pipelining), or null. */
  const inFlight: { sentAt: number | null }[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        ...(timeoutSeconds === undefined ? {} : { timeout: timeoutSeconds }),
        ...(onUnanswered === undefined
          ? {}
          : {
              setupClient: (client: autocannon.Client) => {
                const connection: { sentAt: number | null } = { sentAt: null };
                inFlight.push(connection);
                // 'request' is an event of autocannon's client its typings leave out.
                const events: NodeJS.EventEmitter = client;
                events.on('request', () => (connection.sentAt = performance.now()));
                events.on('response', () => (connection.sentAt = null));
              },
            }),
        requests: [
          {
            method: 'POST',
            path: '/v1/decide',
            headers: { 'Content-Type': 'application/json', 'X-Guidepost-Key': KEY },
            setupRequest: (request) => {
              const user = Math.floor(Math.random() * users);
              const body = JSON.stringify({ userId: `u${user}`, url: `https://app.example.com/${Math.floor(Math.random() * 10)}/board` });
              return forwardedFor === undefined
                ? { ...request, body }
                : { ...request, body, headers: { ...request.headers, 'X-Forwarded-For': forwardedFor(user) } };
            },
          },
        ],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) return reject(err);
        const end = performance.now();
        for (const { sentAt } of inFlight) if (sentAt !== null) onUnanswered?.(end - sentAt);
        resolve(result);
      },
    );
    if (onResponse) instance.on('response', (_client, statusCode, _bytes, latencyMs) => onResponse(statusCode, latencyMs));
  });
}
