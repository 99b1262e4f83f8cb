/**
 * Tokens go only over https, or plain http to this machine; and each token belongs to the origin it
 * was entered for, so pointing an environment or the sync source elsewhere asks for it again.
 */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/shared/dispatch';
import { insecureTokenUrlReason, isLoopbackHost } from '../../src/shared/secure-url';
import { apiErrorOf, useTempCache } from './helpers';
import { modalDraft, testBackend, withSegment, type TestBackend } from './messages-helpers';
import { ADMIN_TOKEN, useDeliveryServer } from './delivery-helpers';
import { memorySecrets } from '../../src/main/messages/secrets';

const tempCache = useTempCache();
const startServer = useDeliveryServer();

/** Until no job runs (the sync against the loopback server finishes on its own). */
async function idle(b: TestBackend): Promise<void> {
  while ((await b.handlers.listJobs({})).some((j) => j.state === 'running')) await new Promise((r) => setTimeout(r, 20));
}

describe('https except on loopback', () => {
  it('knows loopback: localhost, 127.0.0.0/8 and [::1], nothing else', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.255.3.4', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]', '127.example.com', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
    expect(insecureTokenUrlReason('http://127.1:8787')).toBeNull(); // URL parsing spells it 127.0.0.1
    expect(insecureTokenUrlReason('http://[::1]:8787/')).toBeNull();
    expect(insecureTokenUrlReason('https://delivery.example.com')).toBeNull();
    expect(insecureTokenUrlReason('http://delivery.example.com')).toMatch(/http:\/\/delivery\.example\.com uses plain http to another machine.*use https/);
  });

  it('an environment URL over plain http to another host is refused, naming the URL; loopback http and https are fine', async () => {
    const b = testBackend(tempCache());
    const refused = await dispatch(b.handlers, 'setEnvironment', { environment: 'staging', url: 'http://delivery.example.com', token: 'tok' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringMatching(/http:\/\/delivery\.example\.com uses plain http to another machine/) } });
    expect((await b.handlers.getEnvironments({}))[0]).toMatchObject({ url: null, hasToken: false });
    for (const url of ['http://localhost:8787', 'http://127.0.0.2:9', 'http://[::1]:9', 'https://delivery.example.com']) {
      expect((await b.handlers.setEnvironment({ environment: 'staging', url })).url).toBe(url);
    }
  });

  it('publishing to a --server over plain http to another host is refused', async () => {
    const b = testBackend(tempCache());
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft() });
    const refused = await dispatch(b.handlers, 'publishMessagesNow', { ids: ['upsell-1'], url: 'http://10.1.2.3:8787' });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/http:\/\/10\.1\.2\.3:8787 uses plain http to another machine/) } });
  });

  it('an outbox item whose URL was stored before the rule is not sent over plain http to another host', async () => {
    const b = testBackend(tempCache());
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft() });
    await b.handlers.setEnvironment({ environment: 'staging', url: 'http://127.0.0.1:9', token: 'tok' });
    await b.handlers.publishMessage({ id: 'upsell-1' });
    b.db.prepare("UPDATE message_outbox SET url = 'http://delivery.example.com'").run();
    await b.messages.sender.runDue();
    const [item] = await b.handlers.listOutbox({});
    expect(item).toMatchObject({ state: 'failed', attempts: 0, lastError: expect.stringMatching(/^Not sent: http:\/\/delivery\.example\.com uses plain http/) });
  });

  it('a sync source over plain http to another host is refused, and a remembered one is not used', async () => {
    const b = testBackend(tempCache());
    const refused = await dispatch(b.handlers, 'startSync', { source: 'http://delivery.example.com', token: 'tok' });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/http:\/\/delivery\.example\.com uses plain http/) } });
    const err = await apiErrorOf(() => b.handlers.startSync({ source: 'http://delivery.example.com', token: 'tok' }));
    expect(err.message).toMatch(/http:\/\/delivery\.example\.com uses plain http/);
    // A source remembered before the rule existed.
    b.db.prepare("INSERT OR REPLACE INTO kv (key, value) VALUES ('sync_source', 'http://old.example.com')").run();
    const remembered = await apiErrorOf(() => b.handlers.startSync({ token: 'tok' }));
    expect(remembered.message).toMatch(/The sync source http:\/\/old\.example\.com uses plain http/);
  });
});

describe('a token belongs to the origin it was entered for', () => {
  it('an environment pointed at another origin drops its token; another path on the same origin keeps it', async () => {
    const b = testBackend(tempCache());
    await b.handlers.setEnvironment({ environment: 'staging', url: 'https://a.example', token: 'tok-a' });
    expect((await b.handlers.setEnvironment({ environment: 'staging', url: 'https://a.example/delivery/' })).hasToken).toBe(true);
    const moved = await b.handlers.setEnvironment({ environment: 'staging', url: 'https://b.example' });
    expect(moved).toMatchObject({ url: 'https://b.example', hasToken: false, tokenSource: null });
    // Coming back does not bring it back: it was dropped, not hidden.
    expect((await b.handlers.setEnvironment({ environment: 'staging', url: 'https://a.example' })).hasToken).toBe(false);
    // A port is part of the origin too.
    await b.handlers.setEnvironment({ environment: 'production', url: 'https://a.example', token: 'tok-p' });
    expect((await b.handlers.setEnvironment({ environment: 'production', url: 'https://a.example:8443' })).hasToken).toBe(false);
  });

  it('a token from an environment variable belongs to the URL set when it was first used', async () => {
    const b = testBackend(tempCache(), { secrets: memorySecrets({ env: { GUIDEPOST_STAGING_TOKEN: 'from-env' } }) });
    expect((await b.handlers.setEnvironment({ environment: 'staging', url: 'https://a.example' })).hasToken).toBe(true);
    expect((await b.handlers.setEnvironment({ environment: 'staging', url: 'https://a.example/v2' })).hasToken).toBe(true);
    expect((await b.handlers.setEnvironment({ environment: 'staging', url: 'https://b.example' })).hasToken).toBe(false);
  });

  it('the sync token is dropped when the source moves to another origin, kept on the same origin', async () => {
    const b = testBackend(tempCache());
    const server = await startServer();
    await b.handlers.startSync({ source: server.url, token: ADMIN_TOKEN });
    await idle(b);
    expect((await b.handlers.getSyncState({})).hasToken).toBe(true);
    await b.handlers.startSync({ source: `${server.url}/` });
    await idle(b);
    expect((await b.handlers.getSyncState({})).hasToken).toBe(true);
    const elsewhere = server.url.replace('127.0.0.1', 'localhost');
    const err = await apiErrorOf(() => b.handlers.startSync({ source: elsewhere }));
    expect(err.message).toBe(`A token for ${elsewhere} is needed: the one held was entered for ${server.url}, so it was dropped.`);
    expect((await b.handlers.getSyncState({})).hasToken).toBe(false);
  });
});
