import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { openCache } from '../../src/main/db/connection';
import { ADMIN_TOKEN, useDeliveryServer } from './delivery-helpers';
import { useTempDir } from './helpers';
import { modalDraft, testBackend, withSegment } from './messages-helpers';

const tempDir = useTempDir();
const startServer = useDeliveryServer();

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) } };
}

async function run(args: string[]): Promise<{ code: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = io();
  const code = await runCli([...args, '--json'], r.io);
  expect(r.out).toHaveLength(1);
  return { code, json: JSON.parse(r.out[0] as string) };
}

/** A cache file holding the segment and two drafts (the second one in production). */
async function cacheFile(): Promise<string> {
  const file = join(tempDir(), 'cache.db');
  const cache = openCache(file);
  const b = testBackend({ db: cache.db, path: cache.path });
  await withSegment(b);
  await b.handlers.saveMessage({ message: modalDraft() });
  await b.handlers.saveMessage({ message: modalDraft({ id: 'upsell-2', environment: 'production' }) });
  b.close();
  cache.db.close();
  return file;
}

describe('guidepost message and outbox', () => {
  it('message list prints id, kind, status, segment and version', async () => {
    const file = await cacheFile();
    const { code, json } = await run(['message', 'list', '--db', file]);
    expect(code).toBe(0);
    expect(json).toEqual({
      messages: [
        { id: 'upsell-1', kind: 'modal', status: 'draft', segment: 'Starter plan', version: null },
        { id: 'upsell-2', kind: 'modal', status: 'draft', segment: 'Starter plan', version: null },
      ],
    });
  });

  it('message publish --id delivers through the outbox, once', async () => {
    const file = await cacheFile();
    const server = await startServer();
    const first = await run(['message', 'publish', '--db', file, '--id', 'upsell-1', '--server', server.url, '--token', ADMIN_TOKEN]);
    expect(first).toEqual({ code: 0, json: { results: [{ id: 'upsell-1', state: 'published', version: 1 }] } });
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message.version).toBe(1);
    const list = await run(['message', 'list', '--db', file]);
    expect(list.json.messages.find((m: { id: string }) => m.id === 'upsell-1')).toMatchObject({ status: 'live', version: 1 });
    const outbox = await run(['outbox', '--db', file]);
    expect(outbox.json.items).toEqual([
      { id: 1, messageId: 'upsell-1', op: 'publish', state: 'published', attempts: 1, nextAttemptAt: null, lastError: null },
    ]);
  });

  it('--all with the server down queues every message (exit 0); outbox shows the waiting items', async () => {
    const file = await cacheFile();
    const server = await startServer();
    const url = server.url;
    await server.stop();
    const result = await run(['message', 'publish', '--db', file, '--all', '--server', url, '--token', ADMIN_TOKEN]);
    expect(result.code).toBe(0);
    expect(result.json.results).toHaveLength(2);
    for (const r of result.json.results) {
      expect(r).toMatchObject({ state: 'queued', version: 1 });
      expect(r.error).toMatch(/Cannot reach/);
    }
    const outbox = await run(['outbox', '--db', file]);
    expect(outbox.json.items).toHaveLength(2);
    expect(outbox.json.items[0]).toMatchObject({ op: 'publish', state: 'queued', attempts: 1, lastError: expect.stringMatching(/Cannot reach/) });
    expect(Date.parse(outbox.json.items[0].nextAttemptAt)).toBeGreaterThan(0);
  });

  it('a wrong token fails with exit 2 and the reason; the token may come from GUIDEPOST_TOKEN', async () => {
    const file = await cacheFile();
    const server = await startServer();
    const bad = await run(['message', 'publish', '--db', file, '--id', 'upsell-1', '--server', server.url, '--token', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.json.results[0]).toMatchObject({ id: 'upsell-1', state: 'failed', version: 1, error: expect.stringMatching(/token was refused \(401\)/) });

    process.env.GUIDEPOST_TOKEN = ADMIN_TOKEN;
    try {
      const good = await run(['message', 'publish', '--db', file, '--id', 'upsell-2', '--server', server.url]);
      expect(good).toEqual({ code: 0, json: { results: [{ id: 'upsell-2', state: 'published', version: 1 }] } });
    } finally {
      delete process.env.GUIDEPOST_TOKEN;
    }
    const missing = await run(['message', 'publish', '--db', file, '--id', 'nope', '--server', server.url, '--token', ADMIN_TOKEN]);
    expect(missing.code).toBe(2);
    expect(missing.json.results[0]).toMatchObject({ id: 'nope', state: 'failed', error: expect.stringMatching(/No message/) });
    const usage = await run(['message', 'publish', '--db', file, '--server', server.url, '--token', ADMIN_TOKEN]);
    expect(usage).toEqual({ code: 2, json: { error: expect.stringMatching(/--id <id>.*--all/) } });
  });
});
