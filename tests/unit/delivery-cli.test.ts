import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { ADMIN_TOKEN, ORIGIN, PUBLIC_KEY, send } from './delivery-helpers';
import { useTempDir } from './helpers';

const tempDir = useTempDir();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  first: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Runs `guidepost delivery ...` from source in a child process and waits for its first line. */
function startCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'delivery', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, GUIDEPOST_ADMIN_TOKEN: '', GUIDEPOST_PUBLIC_KEY: '', GUIDEPOST_ALLOWED_ORIGINS: '', GUIDEPOST_IDENTITY_SECRETS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, first: out.slice(0, newline), stdout: () => out, stderr: () => err, exit });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    void exit.then((code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
}

describe('guidepost delivery', () => {
  it('starts from flags, prints its URL, serves, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const started = await startCli([
      '--db',
      join(dir, 'delivery.db'),
      '--port',
      '0',
      '--admin-token',
      ADMIN_TOKEN,
      '--public-key',
      PUBLIC_KEY,
      '--allowed-origin',
      ORIGIN,
      '--allowed-origin',
      'https://other.example.com',
      '--json',
    ]);
    const info = JSON.parse(started.first) as { url: string; db: string; allowedOrigins: string[] };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.allowedOrigins).toEqual([ORIGIN, 'https://other.example.com']);
    expect((await send(info.url, 'GET', '/v1/health')).json.ok).toBe(true);
    const publish = await send(info.url, 'PUT', '/v1/messages/m1', {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { kind: 'modal', content: {}, rule: { version: 1, match: 'all', conditions: [] }, environment: 'production', version: 1 },
    });
    expect(publish.status).toBe(201);
    const preflight = await send(info.url, 'OPTIONS', '/v1/decide', { headers: { Origin: 'https://other.example.com' } });
    expect(preflight.headers['access-control-allow-origin']).toBe('https://other.example.com');
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
    expect(started.stderr()).toMatch(/Delivery server stopped \(SIGTERM\)/);
    // The checkpoint thread's connection closed first (checkpointer.ts): the server's, closing last, removed the WAL.
    expect(existsSync(join(dir, 'delivery.db-wal'))).toBe(false);
  });

  it('takes its secrets and origins from the environment', async () => {
    const dir = tempDir();
    const started = await startCli(['--db', join(dir, 'delivery.db'), '--port', '0', '--profile-events-per-name', '2'], {
      GUIDEPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      GUIDEPOST_PUBLIC_KEY: PUBLIC_KEY,
      GUIDEPOST_ALLOWED_ORIGINS: `${ORIGIN}, https://b.example.com`,
    });
    const url = /listening on (\S+)/.exec(started.first)?.[1] as string;
    expect(url).toBeDefined();
    // The start-up text is written in one piece: the first line's chunk holds it all.
    expect(started.stdout()).toMatch(/profiles: +the newest 2 events per user of each event name the live rules count/);
    const events = await send(url, 'GET', '/v1/events', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(events.json).toEqual({ events: [], next: '0', hasMore: false });
    const preflight = await send(url, 'OPTIONS', '/v1/track', { headers: { Origin: 'https://b.example.com' } });
    expect(preflight.status).toBe(204);
    started.child.kill('SIGINT');
    expect(await started.exit).toBe(0);
  });

  it('verifies identities with GUIDEPOST_IDENTITY_SECRETS or --identity-secret (twice, with a warning), and says so at start-up', async () => {
    const current = 'identity-secret-current-0123456789';
    const previous = 'identity-secret-previous-9876543210';
    const hash = (secret: string): string => createHmac('sha256', secret).update('u1').digest('hex');
    const decide = (url: string, secret?: string) =>
      send(url, 'POST', '/v1/decide', { headers: { 'X-Guidepost-Key': PUBLIC_KEY, ...(secret ? { 'X-Guidepost-User-Hash': hash(secret) } : {}) }, body: { userId: 'u1' } });
    const base = ['--port', '0'];

    const fromEnv = await startCli(['--db', join(tempDir(), 'a.db'), ...base, '--json'], {
      GUIDEPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      GUIDEPOST_PUBLIC_KEY: PUBLIC_KEY,
      GUIDEPOST_IDENTITY_SECRETS: `${current},${previous}`,
    });
    const info = JSON.parse(fromEnv.first) as { url: string; identityVerification: boolean };
    expect(info.identityVerification).toBe(true);
    expect((await decide(info.url)).status).toBe(401);
    expect((await decide(info.url, previous)).status).toBe(200);
    expect((await decide(info.url, 'identity-secret-unknown-000000000')).status).toBe(401);
    fromEnv.child.kill('SIGTERM');
    expect(await fromEnv.exit).toBe(0);
    expect(fromEnv.stderr()).not.toMatch(/warning/);

    const fromFlags = await startCli(['--db', join(tempDir(), 'b.db'), ...base, '--identity-secret', current, '--identity-secret', previous], {
      GUIDEPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      GUIDEPOST_PUBLIC_KEY: PUBLIC_KEY,
    });
    const url = /listening on (\S+)/.exec(fromFlags.first)?.[1] as string;
    expect((await decide(url, current)).status).toBe(200);
    fromFlags.child.kill('SIGTERM');
    expect(await fromFlags.exit).toBe(0);
    expect(fromFlags.stdout()).toMatch(/identities: +verified: client calls need X-Guidepost-User-Hash .*\(2 secrets, either accepted\)/);
    expect(fromFlags.stderr()).toMatch(/warning: a secret given with --identity-secret is visible .*GUIDEPOST_IDENTITY_SECRETS or --identity-secret-file/);

    const unverified = await startCli(['--db', join(tempDir(), 'c.db'), ...base], { GUIDEPOST_ADMIN_TOKEN: ADMIN_TOKEN, GUIDEPOST_PUBLIC_KEY: PUBLIC_KEY });
    expect((await decide(/listening on (\S+)/.exec(unverified.first)?.[1] as string)).status).toBe(200);
    unverified.child.kill('SIGTERM');
    expect(await unverified.exit).toBe(0);
    expect(unverified.stdout()).toMatch(/identities: +UNVERIFIED/);
    expect(unverified.stderr()).toMatch(/warning: identities are unverified: anyone with the public key can act as any userId/);

    const io: string[] = [];
    const tooMany = await runCli(
      ['delivery', '--db', join(tempDir(), 'd.db'), '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY, '--identity-secret', current, '--identity-secret', previous, '--identity-secret', `${current}-3`],
      { stdout: () => undefined, stderr: (t) => io.push(t) },
    );
    expect(tooMany).toBe(2);
    expect(io.join('\n')).toMatch(/At most 2 identity secrets/);
  });
  it('says at start-up whether records are pruned (--retain-days) or kept', async () => {
    const printed = async (args: string[]): Promise<string> => {
      const started = await startCli(['--db', join(tempDir(), 'delivery.db'), '--port', '0', ...args], {
        GUIDEPOST_ADMIN_TOKEN: ADMIN_TOKEN,
        GUIDEPOST_PUBLIC_KEY: PUBLIC_KEY,
      });
      // The banner is one write; wait for its last line.
      await new Promise<void>((resolve) => {
        if (started.stdout().includes('Stop with Ctrl+C')) resolve();
        else started.child.stdout?.on('data', () => started.stdout().includes('Stop with Ctrl+C') && resolve());
      });
      started.child.kill('SIGTERM');
      const code = await started.exit;
      expect(code, started.stdout() + started.stderr()).toBe(0);
      return started.stdout();
    };
    expect(await printed([])).toMatch(/retention: +none: records are kept until a user is erased \(--retain-days <n> prunes them\)/);
    expect(await printed(['--retain-days', '30'])).toMatch(/retention: +records pruned 30 days after they arrived \(erase markers kept\)/);
    const io: string[] = [];
    const code = await runCli(['delivery', '--db', join(tempDir(), 'd.db'), '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY, '--retain-days', '0'], {
      stdout: () => undefined,
      stderr: (t) => io.push(t),
    });
    expect(code).toBe(2);
    expect(io.join('\n')).toMatch(/--retain-days must be a whole number from 1 to 36500/);
  }, 30_000);

  it('refuses to start without what it needs, with exit code 2', async () => {
    const dir = tempDir();
    const io = { out: [] as string[], err: [] as string[] };
    const run = (args: string[]): Promise<number> =>
      runCli(['delivery', ...args], { stdout: (t) => io.out.push(t), stderr: (t) => io.err.push(t) });
    const saved = { a: process.env.GUIDEPOST_ADMIN_TOKEN, p: process.env.GUIDEPOST_PUBLIC_KEY, d: process.env.GUIDEPOST_DELIVERY_DB };
    delete process.env.GUIDEPOST_ADMIN_TOKEN;
    delete process.env.GUIDEPOST_PUBLIC_KEY;
    delete process.env.GUIDEPOST_DELIVERY_DB;
    try {
      const db = join(dir, 'd.db');
      expect(await run(['--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY])).toBe(2);
      expect(io.err.pop()).toMatch(/--db/);
      expect(await run(['--db', db, '--public-key', PUBLIC_KEY])).toBe(2);
      expect(io.err.pop()).toMatch(/admin token/);
      expect(await run(['--db', db, '--admin-token', ADMIN_TOKEN])).toBe(2);
      expect(io.err.pop()).toMatch(/public key/);
      expect(await run(['--db', db, '--admin-token', 'short', '--public-key', PUBLIC_KEY])).toBe(2);
      expect(io.err.pop()).toMatch(/at least 16/);
      expect(await run(['--db', db, '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY, '--port', 'http'])).toBe(2);
      expect(io.err.pop()).toMatch(/--port must be a whole number/);
      expect(await run(['--db', db, '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY, '--allowed-origin', 'app.example.com'])).toBe(2);
      expect(io.err.pop()).toMatch(/not an origin/);
      expect(await run(['--db', db, '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY, '--rate-limit', '-1'])).toBe(2);
      expect(await run(['--db', db, '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY, '--profile-events-per-name', '0'])).toBe(2);
      expect(io.err.pop()).toMatch(/--profile-events-per-name must be a whole number from 1/);
    } finally {
      if (saved.a !== undefined) process.env.GUIDEPOST_ADMIN_TOKEN = saved.a;
      if (saved.p !== undefined) process.env.GUIDEPOST_PUBLIC_KEY = saved.p;
      if (saved.d !== undefined) process.env.GUIDEPOST_DELIVERY_DB = saved.d;
    }
  });

  it('refuses a file that is not a delivery database, leaving it untouched', async () => {
    const dir = tempDir();
    const { openCache } = await import('../../src/main/db/connection');
    const cachePath = join(dir, 'cache.db');
    openCache(cachePath).db.close();
    const io: string[] = [];
    const code = await runCli(['delivery', '--db', cachePath, '--admin-token', ADMIN_TOKEN, '--public-key', PUBLIC_KEY], {
      stdout: () => undefined,
      stderr: (t) => io.push(t),
    });
    expect(code).toBe(2);
    expect(io.join('\n')).toMatch(/not a Guidepost delivery database: it belongs to another application/);
  });
});
