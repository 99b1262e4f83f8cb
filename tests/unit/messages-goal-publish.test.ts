/**
 * A message's goal and holdout on their way to the delivery server (issue 19): the publish body
 * carries them, a real server stores them, and when the server's echo lacks them (an older server
 * strips fields it does not know) the item is published with a warning that says so.
 */
import { describe, expect, it } from 'vitest';
import { buildPublishBody, missingFromEcho, validatePublishBody } from '../../src/main/messages/publish-body';
import type { Rule } from '../../src/shared/segments/rule';
import { ADMIN_TOKEN, useDeliveryServer } from './delivery-helpers';
import { useTempCache } from './helpers';
import { modalDraft, testBackend, withSegment, type TestBackend } from './messages-helpers';

const tempCache = useTempCache();
const startServer = useDeliveryServer();

const GOAL = { event: 'upgraded', where: [{ property: 'plan', op: 'eq', value: 'growth' }], withinDays: 14 };
const RULE: Rule = { version: 1, match: 'all', conditions: [] };

async function setup(url: string, extra: Parameters<typeof testBackend>[1] = {}): Promise<TestBackend> {
  const b = testBackend(tempCache(), extra);
  await withSegment(b);
  await b.handlers.saveMessage({ message: modalDraft({ goal: GOAL, holdout: 10 }) });
  await b.handlers.setEnvironment({ environment: 'staging', url, token: ADMIN_TOKEN });
  return b;
}

describe('the publish body', () => {
  it('carries the goal and the holdout, none when the draft holds no one out (the body before holdouts), and the server validator accepts it', () => {
    const body = buildPublishBody(modalDraft({ goal: GOAL, holdout: 10 }), RULE, 3);
    expect(body).toMatchObject({ goal: GOAL, holdout: 10, version: 3 });
    validatePublishBody(body);
    const plain = buildPublishBody(modalDraft(), RULE, 1);
    expect(plain).not.toHaveProperty('goal');
    expect(plain).not.toHaveProperty('holdout');
    expect(buildPublishBody(modalDraft({ holdout: 0 }), RULE, 1)).not.toHaveProperty('holdout');
  });
});

describe('missingFromEcho', () => {
  it('names what the echo lacks; a dropped holdout of 0 changes nothing and is not worth a warning', () => {
    expect(missingFromEcho({ goal: GOAL, holdout: 10 }, { goal: GOAL, holdout: 10 })).toBeNull();
    expect(missingFromEcho({ goal: GOAL, holdout: 10 }, { kind: 'modal' })).toMatch(/did not keep "goal" and "holdout".*No one is held out/);
    expect(missingFromEcho({ goal: GOAL, holdout: 0 }, { holdout: 0 })).toMatch(/did not keep "goal": it is older/);
    expect(missingFromEcho({ holdout: 0 }, {})).toBeNull();
    expect(missingFromEcho({ holdout: 5 }, null)).toMatch(/"holdout"/);
  });
});

describe('publishing a goal and a holdout', () => {
  it('the real server keeps both, and the item is published without a warning', async () => {
    const server = await startServer();
    const b = await setup(server.url);
    const [attempt] = await b.handlers.publishMessagesNow({ ids: ['upsell-1'] });
    expect(attempt).toEqual({ id: 'upsell-1', state: 'published', version: 1 });
    expect((await server.admin('GET', '/v1/messages/upsell-1')).json.message).toMatchObject({ goal: GOAL, holdout: 10 });
    expect((await b.handlers.listOutbox({}))[0]).toMatchObject({ state: 'published', lastError: null });
  });

  it('an older server that strips goal and holdout from its echo: published, with a warning that names both', async () => {
    const server = await startServer();
    // The real server's answer with the two fields removed, as a server that does not know them answers.
    const older: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const json = (await res.json()) as { message?: Record<string, unknown> };
      delete json.message?.goal;
      delete json.message?.holdout;
      return new Response(JSON.stringify(json), { status: res.status, headers: { 'Content-Type': 'application/json' } });
    };
    const b = await setup(server.url, { outbox: { fetch: older } });
    const [attempt] = await b.handlers.publishMessagesNow({ ids: ['upsell-1'] });
    expect(attempt).toMatchObject({ id: 'upsell-1', state: 'published', version: 1, warning: expect.stringMatching(/"goal" and "holdout"/) });
    const [item] = await b.handlers.listOutbox({});
    expect(item).toMatchObject({ state: 'published' });
    expect(item?.lastError).toMatch(/did not keep "goal" and "holdout".*Update the delivery server/);
  });
});
