import { describe, expect, it } from 'vitest';
import { globMatch, inRollout, rolloutBucket } from '../../src/delivery/decide';
import { MAX_AHEAD_MS } from '../../src/delivery/future-clamp';
import { DAY, HOUR, T0, trackCall, SERVER_ENGINES, useDeliveryServer, type Running } from './delivery-helpers';

describe.each(SERVER_ENGINES)('on %s', (engine) => {
  const start = useDeliveryServer(engine);

  /** A server with one known user (an identify call at T0). */
  async function withUser(userId = 'u1', traits: Record<string, unknown> = {}): Promise<Running> {
    const r = await start();
    await r.identify(userId, traits);
    return r;
  }

  describe('who is in the segment', () => {
    it('traits from identify, merged key by key with the later timestamp winning', async () => {
      const r = await withUser('u1', { plan: 'starter' });
      await r.identify('u2', { plan: 'pro' });
      await r.publish('upsell', { rule: { version: 1, match: 'all', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'starter' }] } });
      expect(await r.decideIds('u1')).toEqual(['upsell']);
      expect(await r.decideIds('u2')).toEqual([]);
      // An older identify arriving late does not overwrite a newer value.
      await r.identify('u2', { plan: 'starter' }, { timestamp: new Date(T0 - DAY).toISOString() });
      expect(await r.decideIds('u2')).toEqual([]);
      r.clock.advance(HOUR);
      await r.identify('u1', { plan: 'growth', company: 'Acme' });
      expect(await r.decideIds('u1')).toEqual([]);
    });

    it('behavior as of now: an event count within a window, as events arrive and days pass', async () => {
      const r = await withUser();
      await r.publish('power', {
        rule: { version: 1, match: 'all', conditions: [{ type: 'event', event: 'report_run', op: '>=', count: 3, within: { days: 7 }, where: [{ property: 'format', op: 'eq', value: 'pdf' }] }] },
      });
      await r.track([trackCall('u1', 'report_run', T0 - 2 * DAY, { format: 'pdf' }), trackCall('u1', 'report_run', T0 - DAY, { format: 'pdf' })]);
      await r.track([trackCall('u1', 'report_run', T0 - HOUR, { format: 'csv' })]);
      expect(await r.decideIds('u1')).toEqual([]);
      await r.track([trackCall('u1', 'report_run', T0 - HOUR, { format: 'pdf' })]);
      expect(await r.decideIds('u1')).toEqual(['power']);
      r.clock.days(6);
      expect(await r.decideIds('u1')).toEqual([]); // two of the three left the 7-day window
      await r.track([trackCall('u1', 'report_run', T0 + 5 * DAY, { format: 'pdf' })]);
      // An event stamped later than now (within the 5 minutes a client clock may be ahead) does not count yet...
      await r.track([trackCall('u1', 'report_run', r.clock.now + MAX_AHEAD_MS, { format: 'pdf' })]);
      expect(await r.decideIds('u1')).toEqual([]);
      // ...until its time comes.
      r.clock.advance(MAX_AHEAD_MS);
      expect(await r.decideIds('u1')).toEqual(['power']);
    });

    it('first seen, NPS category, negation and groups, through the shared evaluator', async () => {
      const r = await start();
      await r.track([trackCall('new', 'login', T0 - HOUR), trackCall('old', 'login', T0 - 40 * DAY)]);
      await r.track([trackCall('old', 'survey_answered', T0 - DAY, { survey: 'nps', score: 3 })]);
      await r.publish('welcome', { rule: { version: 1, match: 'all', conditions: [{ type: 'first_seen', op: 'within', days: 14 }] } });
      await r.publish('detractors', {
        kind: 'nps',
        rule: {
          version: 1,
          match: 'all',
          conditions: [{ type: 'group', match: 'any', conditions: [{ type: 'nps', category: 'detractor' }, { type: 'trait', trait: 'vip', op: 'eq', value: true }] }, { type: 'first_seen', op: 'within', days: 14, negate: true }],
        },
      });
      expect(await r.decideIds('new')).toEqual(['welcome']);
      expect(await r.decideIds('old')).toEqual(['detractors']);
    });

    it('a user the server has never heard of is in no segment, not even an empty "all"', async () => {
      const r = await start();
      await r.publish('everyone');
      expect(await r.decideIds('stranger')).toEqual([]);
      await r.track([trackCall('stranger', 'page_loaded', T0)]);
      expect(await r.decideIds('stranger')).toEqual(['everyone']);
    });
  });

  describe('triggers', () => {
    it('page patterns with * wildcards over the full URL', async () => {
      const r = await withUser();
      await r.publish('reports', { trigger: { page: 'https://app.example.com/reports/*' } });
      await r.publish('any-settings', { kind: 'nps', trigger: { page: '*/settings*' } });
      const on = async (url?: string): Promise<string[]> => r.decideIds('u1', url === undefined ? {} : { url });
      expect(await on('https://app.example.com/reports/weekly')).toEqual(['reports']);
      expect(await on('https://app.example.com/reports/')).toEqual(['reports']);
      expect(await on('https://app.example.com/reports')).toEqual([]);
      expect(await on('http://app.example.com/reports/weekly')).toEqual([]);
      expect(await on('https://evil.example/?https://app.example.com/reports/x')).toEqual([]);
      expect(await on('https://app.example.com/settings?tab=billing')).toEqual(['any-settings']);
      expect(await on()).toEqual([]);
    });

    it('event triggers with property filters, and the delay for the SDK', async () => {
      const r = await withUser();
      await r.publish('after-export', {
        trigger: { event: { name: 'export_done', where: [{ property: 'rows', op: 'gte', value: 1000 }] }, delaySeconds: 2.5 },
      });
      const decide = (event?: Record<string, unknown>): Promise<{ json: { messages: { id: string; delaySeconds: number }[] } }> =>
        r.client('POST', '/v1/decide', { userId: 'u1', ...(event ? { event } : {}) });
      expect((await decide()).json.messages).toEqual([]);
      expect((await decide({ name: 'export_done', properties: { rows: 10 } })).json.messages).toEqual([]);
      expect((await decide({ name: 'export_done', properties: { rows: '5000' } })).json.messages).toEqual([]);
      expect((await decide({ name: 'export_started', properties: { rows: 5000 } })).json.messages).toEqual([]);
      const hit = (await decide({ name: 'export_done', properties: { rows: 5000 } })).json.messages;
      expect(hit).toEqual([{ id: 'after-export', version: 1, kind: 'modal', content: { title: 'Hello' }, priority: 0, delaySeconds: 2.5 }]);
    });
  });

  describe('schedule, environment, priority', () => {
    it('shows only inside the schedule: start inclusive, end exclusive', async () => {
      const r = await withUser();
      await r.publish('june', { schedule: { start: new Date(T0 + DAY).toISOString(), end: new Date(T0 + 3 * DAY).toISOString() } });
      expect(await r.decideIds('u1')).toEqual([]);
      r.clock.days(1);
      expect(await r.decideIds('u1')).toEqual(['june']);
      r.clock.advance(2 * DAY - 1);
      expect(await r.decideIds('u1')).toEqual(['june']);
      r.clock.advance(1);
      expect(await r.decideIds('u1')).toEqual([]);
    });

    it('each environment sees its own messages (production by default)', async () => {
      const r = await withUser();
      await r.publish('prod');
      await r.publish('stage', { environment: 'staging' });
      expect(await r.decideIds('u1')).toEqual(['prod']);
      expect(await r.decideIds('u1', { environment: 'staging' })).toEqual(['stage']);
    });

    it('one message per placement: one blocking (modal, nps, survey), one banner, one slideout; priority within each', async () => {
      const r = await withUser();
      const banner = { kind: 'banner', content: { text: 'Maintenance tonight', position: 'top', dismissLabel: 'Dismiss' } };
      const slideout = { kind: 'slideout', content: { title: 'New: scheduled reports', body: '', cta: { label: 'See', url: 'https://example.com' }, dismissLabel: 'Later', corner: 'bottom-right' } };
      await r.publish('modal-low', { priority: 1 });
      await r.publish('modal-high', { priority: 9 });
      await r.publish('nps-mid', { kind: 'nps', priority: 5 });
      await r.publish('survey-top', { kind: 'survey', priority: 20, content: { questions: [] } });
      await r.publish('banner-low', { ...banner, priority: 30 });
      await r.publish('banner-high', { ...banner, priority: 40 });
      await r.publish('slide-a', { ...slideout, priority: -5 });
      await r.publish('slide-b', { ...slideout, priority: -1 });
      expect(await r.decideIds('u1')).toEqual(['banner-high', 'survey-top', 'slide-b']);
      await r.admin('POST', '/v1/messages/survey-top/pause');
      await r.admin('POST', '/v1/messages/banner-high/pause');
      expect(await r.decideIds('u1')).toEqual(['banner-low', 'modal-high', 'slide-b']);
      await r.admin('POST', '/v1/messages/modal-high/pause');
      expect(await r.decideIds('u1')).toEqual(['banner-low', 'nps-mid', 'slide-b']);
      await r.admin('POST', '/v1/messages/nps-mid/pause');
      await r.admin('POST', '/v1/messages/banner-low/pause');
      expect(await r.decideIds('u1')).toEqual(['modal-low', 'slide-b']);
    });

    it('a placement taken by a higher priority skips the lower ones even when they would pass; one held back lets the next in', async () => {
      const r = await withUser();
      await r.publish('modal-a', { priority: 3, frequency: { once: true } });
      await r.publish('nps-b', { kind: 'nps', priority: 2 });
      await r.publish('banner-c', { kind: 'banner', priority: 1, content: { text: 'Hi', position: 'bottom', dismissLabel: 'Close' } });
      expect(await r.decideIds('u1')).toEqual(['modal-a', 'banner-c']);
      await r.shown('u1', 'modal-a');
      // modal-a is held back by its frequency: the blocking placement goes to the next in priority.
      expect(await r.decideIds('u1')).toEqual(['nps-b', 'banner-c']);
    });
  });

  describe('frequency and the global cooldown over simulated days', () => {
    it('once: never again after the first message_shown', async () => {
      const r = await withUser();
      await r.publish('once', { frequency: { once: true } });
      expect(await r.decideIds('u1')).toEqual(['once']);
      expect(await r.decideIds('u1')).toEqual(['once']); // asking is not showing
      await r.shown('u1', 'once');
      for (let day = 0; day < 5; day++) {
        expect(await r.decideIds('u1')).toEqual([]);
        r.clock.days(30);
      }
      // Another message's impressions do not count.
      await r.identify('u2', {});
      await r.shown('u2', 'other');
      expect(await r.decideIds('u2')).toEqual(['once']);
    });

    it('every N days: not again until N days after the last time shown', async () => {
      const r = await withUser();
      await r.publish('weekly', { frequency: { everyDays: 7 } });
      const shownOn: number[] = [];
      for (let day = 0; day < 22; day++) {
        if ((await r.decideIds('u1')).includes('weekly')) {
          shownOn.push(day);
          await r.shown('u1', 'weekly');
        }
        r.clock.days(1);
      }
      expect(shownOn).toEqual([0, 7, 14, 21]);
    });

    it('at most N times, whatever the days', async () => {
      const r = await withUser();
      await r.publish('thrice', { frequency: { maxTimes: 3, everyDays: 1 } });
      let shown = 0;
      for (let day = 0; day < 10; day++) {
        if ((await r.decideIds('u1')).length > 0) {
          shown += 1;
          await r.shown('u1', 'thrice');
        }
        r.clock.days(1);
      }
      expect(shown).toBe(3);
    });

    it('the global cooldown holds a message back after any message was shown', async () => {
      const r = await withUser();
      await r.publish('tour', { priority: 5, frequency: { once: true } });
      await r.publish('upsell', { priority: 1, cooldownHours: 48 });
      expect(await r.decideIds('u1')).toEqual(['tour']); // one modal: the higher priority
      await r.shown('u1', 'tour');
      expect(await r.decideIds('u1')).toEqual([]); // tour: once; upsell: cooldown
      r.clock.advance(47 * HOUR);
      expect(await r.decideIds('u1')).toEqual([]);
      r.clock.advance(HOUR);
      expect(await r.decideIds('u1')).toEqual(['upsell']);
      await r.shown('u1', 'upsell');
      // Its own impression starts the cooldown again.
      r.clock.days(1);
      expect(await r.decideIds('u1')).toEqual([]);
      r.clock.days(1);
      expect(await r.decideIds('u1')).toEqual(['upsell']);
    });

    it('the global cooldown spans placements: a banner shown holds back a modal and a slideout with a cooldown', async () => {
      const r = await withUser();
      await r.publish('banner', { kind: 'banner', priority: 9, frequency: { once: true }, content: { text: 'Hi', position: 'top', dismissLabel: 'Close' } });
      await r.publish('upsell', { priority: 1, cooldownHours: 24 });
      await r.publish('tip', { kind: 'slideout', priority: 1, cooldownHours: 12 });
      await r.publish('news', { kind: 'nps', priority: 0 });
      expect(await r.decideIds('u1')).toEqual(['banner', 'tip', 'upsell']); // equal priorities: by id
      await r.shown('u1', 'banner');
      // upsell and tip wait out their cooldown after the banner; news has none and takes the blocking placement.
      expect(await r.decideIds('u1')).toEqual(['news']);
      r.clock.advance(12 * HOUR);
      expect(await r.decideIds('u1')).toEqual(['tip', 'news']);
      r.clock.advance(12 * HOUR);
      expect(await r.decideIds('u1')).toEqual(['tip', 'upsell']);
    });

    // Frequency state is counted as shows arrive (profile-store.ts), not recounted as of now: a show stamped
    // ahead by a client's clock (at most MAX_AHEAD_MS; further is clamped) has happened, and counts as shown now.
    it('an impression stamped later than now counts at once, as shown now', async () => {
      const r = await withUser();
      await r.publish('once', { frequency: { once: true } });
      await r.publish('daily', { kind: 'nps', frequency: { everyDays: 1 } });
      await r.track([trackCall('u1', 'message_shown', T0 + MAX_AHEAD_MS, { message_id: 'once' })]);
      await r.track([trackCall('u1', 'message_shown', T0 + MAX_AHEAD_MS, { message_id: 'daily' })]);
      expect(await r.decideIds('u1')).toEqual([]);
      // The day runs from the show's own instant once the clock has reached it.
      r.clock.advance(MAX_AHEAD_MS + DAY - 1);
      expect(await r.decideIds('u1')).toEqual([]);
      r.clock.advance(1);
      expect(await r.decideIds('u1')).toEqual(['daily']);
    });
  });

  describe('rollout', () => {
    it('is stable per user and within ±2 points of the target share over 10,000 users', async () => {
      const r = await start();
      const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
      for (let i = 0; i < users.length; i += 1000) {
        const batch = users.slice(i, i + 1000).map((userId) => ({ type: 'identify', userId, traits: { n: 1 }, timestamp: new Date(T0).toISOString() }));
        expect((await r.track(batch)).json.accepted).toBe(1000);
      }
      await r.publish('thirty', { rollout: 30 });
      await r.publish('none', { rollout: 0, kind: 'nps' });
      const decideAll = async (who: string[]): Promise<Set<string>> => {
        const inside = new Set<string>();
        for (let i = 0; i < who.length; i += 50) {
          const slice = who.slice(i, i + 50);
          const answers = await Promise.all(slice.map((u) => r.decideIds(u)));
          answers.forEach((ids, k) => {
            expect(ids).not.toContain('none');
            if (ids.includes('thirty')) inside.add(slice[k] as string);
          });
        }
        return inside;
      };
      const first = await decideAll(users);
      const share = (first.size / users.length) * 100;
      expect(share).toBeGreaterThanOrEqual(28);
      expect(share).toBeLessThanOrEqual(32);
      // The same users, asked again a day later, get the same answer.
      const sample = users.slice(0, 2000);
      r.clock.days(1);
      const second = await decideAll(sample);
      expect([...second].sort()).toEqual(sample.filter((u) => first.has(u)).sort());
      // Raising the rollout keeps everyone who was in.
      await r.publish('thirty', { rollout: 60, version: 2 });
      const wider = await decideAll(sample);
      expect(sample.filter((u) => first.has(u)).every((u) => wider.has(u))).toBe(true);
      expect(wider.size).toBeGreaterThan(second.size * 1.5);
    });

    it('buckets differ between messages, so the same users are not always first', () => {
      const users = Array.from({ length: 2000 }, (_, i) => `u${i}`);
      const a = users.filter((u) => inRollout(u, 'a', 10));
      const b = users.filter((u) => inRollout(u, 'b', 10));
      const both = a.filter((u) => b.includes(u)).length;
      expect(both).toBeLessThan(a.length / 2);
      expect(users.every((u) => rolloutBucket(u, 'a') >= 0 && rolloutBucket(u, 'a') < 10_000)).toBe(true);
      expect(users.every((u) => inRollout(u, 'a', 100) && !inRollout(u, 'a', 0))).toBe(true);
    });
  });

  describe('globMatch', () => {
    it('* is any run of characters; everything else is itself; the whole text must match', () => {
      expect(globMatch('*', '')).toBe(true);
      expect(globMatch('*', 'https://x')).toBe(true);
      expect(globMatch('https://a.com/*', 'https://a.com/')).toBe(true);
      expect(globMatch('https://a.com/*', 'https://a.com')).toBe(false);
      expect(globMatch('https://a.com/p?x=1', 'https://a.com/p?x=1')).toBe(true);
      expect(globMatch('https://a.com/p?x=1', 'https://a.com/pax=1')).toBe(false);
      expect(globMatch('https://a.com/(.*)', 'https://a.com/anything')).toBe(false);
      expect(globMatch('*/billing/*/plan', 'https://a.com/billing/42/plan')).toBe(true);
      expect(globMatch('*/billing/*/plan', 'https://a.com/billing/42/plans')).toBe(false);
      expect(globMatch('a**b', 'ab')).toBe(true);
    });

    it('takes linear-ish time on patterns that would make a regex backtrack', () => {
      const pattern = `${'*a'.repeat(30)}*b`;
      const text = 'a'.repeat(4096);
      const started = performance.now();
      expect(globMatch(pattern, text)).toBe(false);
      expect(performance.now() - started).toBeLessThan(500);
    });
  });
});
