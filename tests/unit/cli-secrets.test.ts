/**
 * Secrets on the command line: from the environment or a file (--token-file and friends), never only from
 * a flag that `ps` shows. A flag still works but warns; a file others can read is refused.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { openCache } from '../../src/main/db/connection';
import { ADMIN_TOKEN, PUBLIC_KEY, useDeliveryServer } from './delivery-helpers';
import { useTempDir } from './helpers';
import { modalDraft, testBackend, withSegment } from './messages-helpers';

const tempDir = useTempDir();
const startServer = useDeliveryServer();

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out, err };
}

function secretFile(content: string, mode: number): string {
  const file = join(tempDir(), `secret-${mode.toString(8)}`);
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

async function cacheWithDraft(): Promise<string> {
  const file = join(tempDir(), 'cache.db');
  const cache = openCache(file);
  const b = testBackend({ db: cache.db, path: cache.path });
  await withSegment(b);
  await b.handlers.saveMessage({ message: modalDraft() });
  b.close();
  cache.db.close();
  return file;
}

const posix = process.platform !== 'win32';

describe('secrets on the command line', () => {
  it('message publish reads the admin token from --token-file (trailing newline trimmed) and warns about none', async () => {
    const db = await cacheWithDraft();
    const server = await startServer();
    const tokenFile = secretFile(`${ADMIN_TOKEN}\n`, 0o600);
    const r = await run(['message', 'publish', '--db', db, '--id', 'upsell-1', '--server', server.url, '--token-file', tokenFile, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0] as string)).toEqual({ results: [{ id: 'upsell-1', state: 'published', version: 1 }] });
    expect(r.err.join('\n')).not.toMatch(/warning/);
  });

  it('a token given as a flag still works but warns on stderr that ps shows it', async () => {
    const db = await cacheWithDraft();
    const server = await startServer();
    const r = await run(['message', 'publish', '--db', db, '--id', 'upsell-1', '--server', server.url, '--token', ADMIN_TOKEN, '--json']);
    expect(r.code).toBe(0);
    expect(r.err.join('\n')).toMatch(/warning: a secret given with --token is visible to other users of this machine \(ps\).*GUIDEPOST_TOKEN or --token-file/);
  });

  it.runIf(posix)('refuses a token file others can read, naming the file and the fix', async () => {
    const db = await cacheWithDraft();
    const open = secretFile(`${ADMIN_TOKEN}\n`, 0o644);
    const r = await run(['message', 'publish', '--db', db, '--id', 'upsell-1', '--server', 'http://127.0.0.1:9', '--token-file', open]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain(`--token-file: ${open} is open to other users (mode 644)`);
    expect(r.err.join('\n')).toContain(`chmod 600 ${open}`);
    const sync = await run(['sync', '--db', db, '--source', 'http://127.0.0.1:9', '--token-file', open]);
    expect(sync.code).toBe(2);
    expect(sync.err.join('\n')).toContain('is open to other users');
  });

  it('refuses to send the token over plain http to another machine', async () => {
    const db = await cacheWithDraft();
    const r = await run(['message', 'publish', '--db', db, '--id', 'upsell-1', '--server', 'http://delivery.example.com', '--token-file', secretFile(`${ADMIN_TOKEN}\n`, 0o600)]);
    expect(r.code).toBe(2);
    expect(r.err.pop()).toMatch(/--server: http:\/\/delivery\.example\.com uses plain http to another machine/);
  });

  it('refuses a flag and a file together, a missing file and an empty one', async () => {
    const db = await cacheWithDraft();
    const file = secretFile(`${ADMIN_TOKEN}\n`, 0o600);
    const both = await run(['sync', '--db', db, '--source', 'http://127.0.0.1:9', '--token', 'x', '--token-file', file]);
    expect(both.err.pop()).toMatch(/give --token or --token-file, not both/);
    const missing = await run(['sync', '--db', db, '--source', 'http://127.0.0.1:9', '--token-file', join(tempDir(), 'nope')]);
    expect(missing.err.pop()).toMatch(/--token-file: cannot read .*nope \(ENOENT\)/);
    const empty = await run(['sync', '--db', db, '--source', 'http://127.0.0.1:9', '--token-file', secretFile('\n', 0o600)]);
    expect(empty.err.pop()).toMatch(/--token-file: .* is empty/);
  });

  it('delivery takes the admin token from --admin-token-file and the public key from --public-key-file', async () => {
    const dir = tempDir();
    const db = join(dir, 'delivery.db');
    const saved = { a: process.env.GUIDEPOST_ADMIN_TOKEN, p: process.env.GUIDEPOST_PUBLIC_KEY };
    delete process.env.GUIDEPOST_ADMIN_TOKEN;
    delete process.env.GUIDEPOST_PUBLIC_KEY;
    try {
      // A short token proves the file was read (and its newline trimmed) without starting a server that runs until stopped.
      const short = await run(['delivery', '--db', db, '--admin-token-file', secretFile('short\n', 0o600), '--public-key-file', secretFile(`${PUBLIC_KEY}\n`, 0o644)]);
      expect(short.code).toBe(2);
      expect(short.err.pop()).toMatch(/at least 16/);
      // The public key is public by design: a readable file and the flag are fine, without a warning.
      const flagged = await run(['delivery', '--db', db, '--admin-token', 'short', '--public-key', PUBLIC_KEY]);
      expect(flagged.err.join('\n')).toMatch(/warning: a secret given with --admin-token .*GUIDEPOST_ADMIN_TOKEN or --admin-token-file/);
      expect(flagged.err.join('\n')).not.toMatch(/--public-key is visible/);
      if (posix) {
        const open = await run(['delivery', '--db', db, '--admin-token-file', secretFile(`${ADMIN_TOKEN}\n`, 0o640), '--public-key', PUBLIC_KEY]);
        expect(open.err.pop()).toMatch(/--admin-token-file: .* is open to other users \(mode 640\)/);
      }
    } finally {
      if (saved.a !== undefined) process.env.GUIDEPOST_ADMIN_TOKEN = saved.a;
      if (saved.p !== undefined) process.env.GUIDEPOST_PUBLIC_KEY = saved.p;
    }
  });
});
