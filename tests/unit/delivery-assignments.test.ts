/**
 * Assignments are stored in groups (src/delivery/assignments.ts): decides answered together share one
 * write, and each user is still assigned to a message once, with one message_assigned record.
 */
import { describe, expect, it } from 'vitest';
import { useDeliveryServer } from './delivery-helpers';

const start = useDeliveryServer();

describe('assignments in groups', () => {
  it('store every user once, however many decides arrive together and however often each is asked', async () => {
    const r = await start();
    await r.publish('everyone', { rule: { version: 1, match: 'all', conditions: [] } });
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    for (const userId of users) await r.identify(userId, { plan: 'pro' });
    // Every user three times, all at once: many decides in one turn of the server's loop.
    const answers = await Promise.all([...users, ...users, ...users].map((userId) => r.decideIds(userId)));
    expect(answers.every((ids) => ids.length === 1 && ids[0] === 'everyone')).toBe(true);
    const count = (sql: string): number => r.db.prepare(sql).pluck().get() as number;
    expect(count("SELECT count(*) FROM message_assignments WHERE message_id = 'everyone'")).toBe(40);
    expect(count("SELECT count(*) FROM records WHERE record_id LIKE 'assigned:everyone:%'")).toBe(40);
    const exported = await r.admin('GET', '/v1/events?limit=1000');
    expect((exported.json.events as { event?: string }[]).filter((e) => e.event === 'message_assigned')).toHaveLength(40);
  });
});
