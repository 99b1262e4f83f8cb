import { describe, expect, it, vi } from 'vitest';
import { EXAMPLE_WORKSHOP_ID, insertExampleWorkshop } from '../../src/main/demo/example-workshop';
import type { MessageDraft } from '../../src/shared/messages/model';
import { networkReason } from '../../src/main/messages/sender';
import { ADMIN_TOKEN, useDeliveryServer } from './delivery-helpers';
import { apiErrorOf, useTempCache } from './helpers';
import { modalDraft, STAGING_TOKEN, testBackend, withSegment, type TestBackend } from './messages-helpers';

const tempCache = useTempCache();
const startServer = useDeliveryServer();

/** A backend with the segment, a saved draft and the staging environment pointing at url. */
async function setup(url: string, token = ADMIN_TOKEN, extra: Parameters<typeof testBackend>[1] = {}): Promise<TestBackend> {
  const b = testBackend(tempCache(), extra);
  await withSegment(b);
  await b.handlers.saveMessage({ message: modalDraft() });
  await b.handlers.setEnvironment({ environment: 'staging', url, token });
  return b;
}

/** A URL where nothing listens: a server's, after it stopped. */
async function deadUrl(): Promise<{ url: string; port: number }> {
  const server = await startServer();
  const url = server.url;
  await server.stop();
  return { url, port: Number(new URL(url).port) };
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

describe('drafts', () => {
  it('refuses an invalid message and names every field: no title, a javascript: URL, rollout 140%', async () => {
    const b = testBackend(tempCache());
    const bad = modalDraft({
      modal: { title: '', body: '', cta: { label: 'Go', url: 'javascript:alert(1)' }, dismissLabel: 'No' },
      rollout: 140,
    });
    const err = await apiErrorOf(() => b.handlers.saveMessage({ message: bad }));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toMatch(/modal › title: give the title/);
    expect(err.message).toMatch(/modal › cta › url: must be an http\(s\) URL/);
    expect(err.message).toMatch(/rollout: rollout is 0 to 100%/);
    expect(await b.handlers.listMessages({})).toEqual([]);
  });

  it('lists with derived status, duplicates, archives, deletes and brings back with a save (Undo)', async () => {
    const b = testBackend(tempCache());
    await withSegment(b);
    const saved = await b.handlers.saveMessage({ message: modalDraft() });
    expect(saved).toMatchObject({ status: 'draft', publishedVersion: null, targetName: 'Starter plan', targetWarning: null });
    const copy = await b.handlers.duplicateMessage({ id: 'upsell-1' });
    expect(copy.message).toMatchObject({ id: 'upsell-1-copy', name: 'Upsell: project limit (copy)' });
    await b.handlers.archiveMessage({ id: 'upsell-1-copy', archived: true });
    expect((await b.handlers.listMessages({})).map((r) => r.message.id)).toEqual(['upsell-1']);
    const all = await b.handlers.listMessages({ includeArchived: true });
    expect(all.find((r) => r.message.id === 'upsell-1-copy')?.status).toBe('archived');
    expect(await b.handlers.deleteMessage({ id: 'upsell-1' })).toEqual({ deleted: true });
    expect((await apiErrorOf(() => b.handlers.getMessage({ id: 'upsell-1' }))).code).toBe('not_found');
    await b.handlers.saveMessage({ message: saved.message });
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).status).toBe('draft');
  });

  it('a deleted segment gives a warning in list and get, and publishing says why it cannot', async () => {
    const b = testBackend(tempCache());
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft() });
    await b.handlers.setEnvironment({ environment: 'staging', url: 'http://127.0.0.1:9', token: 't' });
    await b.handlers.deleteSegment({ id: 'seg_starter' });
    const [record] = await b.handlers.listMessages({});
    expect(record?.targetName).toBeNull();
    expect(record?.targetWarning).toBe('The segment “Starter plan” was deleted: this message has no audience until you pick another.');
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).targetWarning).toMatch(/was deleted/);
    const err = await apiErrorOf(() => b.handlers.publishMessage({ id: 'upsell-1' }));
    expect(err.message).toMatch(/cannot be published: The segment “Starter plan” was deleted/);
    expect(await b.handlers.listOutbox({})).toEqual([]);
  });

  it('a persona target publishes the persona rule as it is at publish time, and warns once the persona is gone', async () => {
    const b = testBackend(tempCache());
    insertExampleWorkshop(b.db);
    const workshop = await b.handlers.getWorkshop({ id: EXAMPLE_WORKSHOP_ID });
    const persona = workshop.personas[0];
    expect(persona).toBeDefined();
    if (!persona) return;
    const saved = await b.handlers.saveMessage({
      message: modalDraft({ target: { type: 'persona', workshopId: workshop.id, personaId: persona.id } }),
    });
    expect(saved.targetName).toBe(persona.name);
    expect(((await b.handlers.messageDiff({ id: 'upsell-1' })).body as { rule: unknown }).rule).toEqual(persona.rule);
    // The persona's rule changes in the workshop: the next publish takes the new one.
    const edited = { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'role', op: 'eq', value: 'admin' }] } as const;
    await b.handlers.saveWorkshop({
      workshop: { ...workshop, personas: workshop.personas.map((p) => (p.id === persona.id ? { ...p, rule: edited, ruleEdited: true } : p)) },
    });
    expect(((await b.handlers.messageDiff({ id: 'upsell-1' })).body as { rule: unknown }).rule).toEqual(edited);
    await b.handlers.deleteWorkshop({ id: workshop.id });
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).targetWarning).toBe(
      `The persona “${persona.name}” was deleted: this message has no audience until you pick another.`,
    );
  });

  it('messageDiff compares the next body with the published one, field by field', async () => {
    const server = await startServer();
    const b = await setup(server.url);
    const first = await b.handlers.messageDiff({ id: 'upsell-1' });
    expect(first.nextVersion).toBe(1);
    // The rule is one change ("who sees it", read as its sentence), not rows of its JSON.
    expect(first.changes.filter((c) => c.path.startsWith('rule'))).toEqual([
      { path: 'rule', before: null, after: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] } },
    ]);
    expect(first.body).toMatchObject({
      kind: 'modal',
      content: { title: 'You hit the project limit', cta: { label: 'Upgrade', url: 'https://taskly.example/upgrade' }, dismissLabel: 'Not now' },
      rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] },
      environment: 'staging',
      version: 1,
    });
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    await b.handlers.saveMessage({ message: modalDraft({ rollout: 50, modal: { ...(modalDraft().modal as NonNullable<MessageDraft['modal']>), title: 'New title' } }) });
    const next = await b.handlers.messageDiff({ id: 'upsell-1' });
    expect(next.nextVersion).toBe(2);
    expect(next.changes).toEqual([
      { path: 'content.title', before: 'You hit the project limit', after: 'New title' },
      { path: 'rollout', before: 100, after: 50 },
    ]);
  });
});

describe('the outbox', () => {
  it('publishing while the server is down queues; starting it delivers exactly one version', async () => {
    const { url, port } = await deadUrl();
    const b = await setup(url);
    const record = await b.handlers.publishMessage({ id: 'upsell-1' });
    expect(record.outbox[0]).toMatchObject({ op: 'publish', state: 'queued', version: 1, attempts: 0 });
    await b.messages.sender.runDue();
    const [waiting] = await b.handlers.listOutbox({});
    expect(waiting).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAt: b.clock.now + 1000 });
    expect(waiting?.lastError).toMatch(/Cannot reach/);
    // Issue 17, item 8: the reason in words, never Node's bare "fetch failed".
    expect(waiting?.lastError).toMatch(/connection refused/);
    expect(waiting?.lastError).not.toMatch(/fetch failed/);
    // Not due yet: a pass changes nothing.
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]?.attempts).toBe(1);

    const server = await startServer({ port });
    b.clock.now += 1000;
    await b.messages.sender.runDue();
    const [done] = await b.handlers.listOutbox({});
    expect(done).toMatchObject({ state: 'published', attempts: 2, lastError: null });
    expect(b.events.map((e) => e.state)).toEqual(['queued', 'sending', 'queued', 'sending', 'published']);
    expect(await b.handlers.getMessage({ id: 'upsell-1' })).toMatchObject({ status: 'live', publishedVersion: 1 });
    const stored = await server.admin('GET', '/v1/messages/upsell-1');
    expect(stored.json.message).toMatchObject({ version: 1, state: 'running', content: { title: 'You hit the project limit' } });
    expect(server.db.prepare('SELECT count(*) FROM message_versions').pluck().get()).toBe(1);
    expect(server.db.prepare('SELECT count(*) FROM idempotency').pluck().get()).toBe(1);
  });

  it('fixing a mistyped environment URL sends the waiting items to the new one', async () => {
    const { url } = await deadUrl();
    const b = await setup(url);
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]).toMatchObject({ state: 'queued', attempts: 1 });

    const server = await startServer();
    // Another port is another origin: the token is asked for again (it belongs to the server it was entered for).
    expect((await b.handlers.setEnvironment({ environment: 'staging', url: server.url })).hasToken).toBe(false);
    await b.handlers.setEnvironment({ environment: 'staging', url: server.url, token: ADMIN_TOKEN });
    b.clock.now += 1000;
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]).toMatchObject({ state: 'published', attempts: 2 });
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message).toMatchObject({ version: 1 });
  });

  it('an answer lost after the server applied the publish is retried with the same key: one version on the server', async () => {
    const server = await startServer();
    const keys: string[] = [];
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      keys.push(new Headers(init?.headers).get('Idempotency-Key') ?? '');
      const res = await fetch(input, init);
      calls += 1;
      if (calls === 1) {
        await res.text();
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    };
    const b = await setup(server.url, ADMIN_TOKEN, { outbox: { fetch: flaky } });
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]).toMatchObject({ state: 'queued', attempts: 1 });
    // Retry now (the user's "Try now").
    const item = await b.handlers.retryOutbox({ id: (await b.handlers.listOutbox({}))[0]?.id ?? 0 });
    expect(item).toMatchObject({ state: 'published', attempts: 2 });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^gp-/);
    expect(keys[1]).toBe(keys[0]);
    expect(server.db.prepare('SELECT count(*) FROM message_versions').pluck().get()).toBe(1);
    expect(server.db.prepare('SELECT count(*) FROM idempotency').pluck().get()).toBe(1);
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).publishedVersion).toBe(1);
  });

  it('a 409 keeps the server message beside ours and overwrites nothing', async () => {
    const server = await startServer();
    // Someone else published version 3 of the same id.
    await server.publish('upsell-1', { content: { title: 'Theirs' }, environment: 'staging', version: 3 });
    const b = await setup(server.url);
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    const [item] = await b.handlers.listOutbox({});
    expect(item?.state).toBe('conflict');
    expect(item?.lastError).toMatch(/409.*not newer than the stored version 3/);
    expect(item?.serverMessage).toMatchObject({ id: 'upsell-1', version: 3, content: { title: 'Theirs' } });
    expect(await b.handlers.getMessage({ id: 'upsell-1' })).toMatchObject({ status: 'draft', publishedVersion: null });
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message).toMatchObject({ version: 3, content: { title: 'Theirs' } });
    // Nothing retries it by itself.
    b.clock.now += 3_600_000;
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]?.attempts).toBe(1);
    expect(await b.handlers.discardOutbox({ id: item?.id ?? 0 })).toEqual({ discarded: true });
    expect(await b.handlers.listOutbox({})).toEqual([]);

    // Publishing again goes above what the server said it holds, even with the conflict discarded.
    expect((await b.handlers.messageDiff({ id: 'upsell-1' })).nextVersion).toBe(4);
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]).toMatchObject({ state: 'published', version: 4 });
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message).toMatchObject({ version: 4, content: { title: 'You hit the project limit' } });
  });

  it('a delivery URL that cannot be parsed fails the attempt instead of leaving the item "sending"', async () => {
    const b = await setup('http://127.0.0.1:1');
    await b.handlers.publishMessage({ id: 'upsell-1' });
    b.db.prepare("UPDATE message_outbox SET url = 'http://localhost:99999'").run();
    await b.messages.sender.runDue();
    const [item] = await b.handlers.listOutbox({});
    expect(item).toMatchObject({ state: 'queued', attempts: 1 });
    expect(item?.lastError).toMatch(/^Cannot reach http:\/\/localhost:99999/);
    expect(await b.handlers.discardOutbox({ id: item?.id ?? 0 })).toEqual({ discarded: true });
  });

  it('a wrong token stops with 401 and says so; another 4xx stops with the server reason', async () => {
    const server = await startServer();
    const b = await setup(server.url, 'wrong-token');
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    const [item] = await b.handlers.listOutbox({});
    expect(item).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null });
    expect(item?.lastError).toMatch(/The staging token was refused \(401\)/);

    const refusing: typeof fetch = async () => jsonResponse(422, { error: 'This Idempotency-Key was already used for a different request.' });
    const c = await setup('http://127.0.0.1:9', STAGING_TOKEN, { outbox: { fetch: refusing } });
    await c.handlers.publishMessage({ id: 'upsell-1' });
    await c.messages.sender.runDue();
    expect((await c.handlers.listOutbox({}))[0]).toMatchObject({
      state: 'failed',
      lastError: 'The delivery server refused it (422): This Idempotency-Key was already used for a different request.',
    });
  });

  it('no token: the item fails with what to do, and no request is made', async () => {
    let calls = 0;
    const b = testBackend(tempCache(), { outbox: { fetch: async () => ((calls += 1), jsonResponse(200, {})) } });
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft() });
    await b.handlers.setEnvironment({ environment: 'staging', url: 'http://127.0.0.1:9' });
    expect(await b.handlers.getEnvironments({})).toEqual([
      { environment: 'staging', url: 'http://127.0.0.1:9', hasToken: false, tokenSource: null },
      { environment: 'production', url: null, hasToken: false, tokenSource: null },
    ]);
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]?.lastError).toMatch(/No staging token is set/);
    expect(calls).toBe(0);
    // The token is never written to the cache.
    await b.handlers.setEnvironment({ environment: 'staging', url: 'http://127.0.0.1:9', token: 'secret-token-xyz' });
    expect((await b.handlers.getEnvironments({}))[0]).toMatchObject({ hasToken: true, tokenSource: 'memory' });
    const dump = b.db.prepare("SELECT group_concat(url) FROM message_environments").pluck().get() as string;
    expect(dump).not.toMatch(/secret-token/);
  });

  it('backoff grows exponentially with full jitter, and honours Retry-After', async () => {
    const statuses = [503, 503, 503, 429];
    let n = 0;
    const failing: typeof fetch = async () =>
      (statuses[n++] ?? 503) === 429 ? jsonResponse(429, { error: 'slow down' }, { 'Retry-After': '120' }) : jsonResponse(503, { error: 'down' });
    const b = await setup('http://127.0.0.1:9', STAGING_TOKEN, { outbox: { fetch: failing } });
    await b.handlers.publishMessage({ id: 'upsell-1' });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await b.messages.sender.runDue();
      const [item] = await b.handlers.listOutbox({});
      waits.push((item?.nextAttemptAt ?? 0) - b.clock.now);
      b.clock.now = item?.nextAttemptAt ?? b.clock.now;
    }
    expect(waits).toEqual([1000, 2000, 4000, 120_000]);
    expect((await b.handlers.listOutbox({}))[0]?.lastError).toMatch(/rate limiting \(429\): slow down/);

    // Full jitter: the wait is random × the step.
    const jittered = testBackend(tempCache(), { outbox: { random: () => 0.25, baseDelayMs: 1000 } });
    expect(jittered.messages.sender.backoffMs(3, null)).toBe(1000);
    expect(jittered.messages.sender.backoffMs(3, 5000)).toBe(5000);
  });

  it('pause, resume and end go through the outbox in order after the publish', async () => {
    const { url, port } = await deadUrl();
    const b = await setup(url);
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await b.handlers.messageCommand({ id: 'upsell-1', op: 'pause' });
    const server = await startServer({ port });
    await b.messages.sender.runDue({ ignoreWait: true });
    expect((await b.handlers.listOutbox({})).map((i) => [i.op, i.state])).toEqual([
      ['pause', 'published'],
      ['publish', 'published'],
    ]);
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).status).toBe('paused');
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message.state).toBe('paused');
    await b.handlers.messageCommand({ id: 'upsell-1', op: 'resume' });
    await b.messages.sender.runDue();
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).status).toBe('live');
    await b.handlers.messageCommand({ id: 'upsell-1', op: 'end' });
    await b.messages.sender.runDue();
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).status).toBe('ended');
    // Resuming an ended message is a 409 from the server: shown, nothing changes.
    await b.handlers.messageCommand({ id: 'upsell-1', op: 'resume' });
    await b.messages.sender.runDue();
    expect((await b.handlers.listOutbox({}))[0]).toMatchObject({ op: 'resume', state: 'conflict' });
    expect((await b.handlers.getMessage({ id: 'upsell-1' })).status).toBe('ended');
    // A published message is not deleted: it is ended and archived.
    expect((await apiErrorOf(() => b.handlers.deleteMessage({ id: 'upsell-1' }))).code).toBe('conflict');
  });

  it('commands need a published message; publishing needs the environment URL; versions grow', async () => {
    const b = testBackend(tempCache());
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft() });
    expect((await apiErrorOf(() => b.handlers.messageCommand({ id: 'upsell-1', op: 'pause' }))).message).toMatch(/Publish the message first/);
    expect((await apiErrorOf(() => b.handlers.publishMessage({ id: 'upsell-1' }))).message).toMatch(/Set the staging delivery URL/);
    await b.handlers.setEnvironment({ environment: 'staging', url: 'http://127.0.0.1:9', token: 't' });
    await b.handlers.publishMessage({ id: 'upsell-1' });
    const second = await b.handlers.publishMessage({ id: 'upsell-1' });
    expect(second.outbox.map((i) => i.version)).toEqual([2, 1]);
    expect((await b.handlers.messageDiff({ id: 'upsell-1' })).nextVersion).toBe(3);
  });

  it('items left "sending" by a crash go back to queued when the sender starts', async () => {
    const b = await setup('http://127.0.0.1:9');
    await b.handlers.publishMessage({ id: 'upsell-1' });
    b.db.prepare("UPDATE message_outbox SET state = 'sending'").run();
    b.messages.sender.start();
    b.messages.sender.stop();
    expect((await b.handlers.listOutbox({}))[0]?.state).toBe('queued');
  });

  it('in the app the sender runs by itself: a publish is delivered without being asked, and close() stops it', async () => {
    const server = await startServer();
    const b = testBackend(tempCache(), { outbox: { autoStart: true } }, Date.now());
    await withSegment(b);
    await b.handlers.saveMessage({ message: modalDraft() });
    await b.handlers.setEnvironment({ environment: 'staging', url: server.url, token: ADMIN_TOKEN });
    await b.handlers.publishMessage({ id: 'upsell-1' });
    await vi.waitFor(() => expect(b.events.at(-1)?.state).toBe('published'), { timeout: 5000, interval: 20 });
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message.version).toBe(1);
    b.close();
  });
});

describe('networkReason', () => {
  it('words what Node’s fetch hides behind "fetch failed"', () => {
    const failed = (code?: string, message = 'fetch failed'): Error => Object.assign(new Error(message), code ? { cause: Object.assign(new Error(`x ${code}`), { code }) } : {});
    expect(networkReason(failed('ECONNREFUSED'))).toBe('nothing answers there (connection refused); is the delivery server running?');
    expect(networkReason(failed('ENOTFOUND'))).toBe('no such host name');
    expect(networkReason(failed('EWHATEVER'))).toBe('the connection failed (EWHATEVER)');
    expect(networkReason(failed())).toBe('the connection failed');
    expect(networkReason(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }))).toBe('no answer in time');
    expect(networkReason(new Error('Invalid URL'))).toBe('Invalid URL');
  });
});
