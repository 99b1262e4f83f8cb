/**
 * "Since the workshop" (issue 19, item 5): a chosen step-4 opportunity linked to a message and a goal
 * event; the Markdown and PDF exports (through the backend, on a real cache) gain a page listing each
 * chosen opportunity, its message, its status and reach (distinct users shown it), and the lift's hook.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKvRepo } from '../../src/main/db/kv';
import { workshopSchema, type Opportunity } from '../../src/shared/workshop/model';
import { useTempCache } from './helpers';
import { modalDraft, testBackend, withSegment } from './messages-helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();
const AS_OF = Date.UTC(2026, 5, 30);

function opportunity(id: string, title: string, link: Partial<Opportunity>): Opportunity {
  return { id, title, personaId: '', area: 'monetization', improvementPct: 5, effort: 2, confidence: 3, benchmark: '', goal: '', notes: '', votes: {}, chosen: true, ...link };
}

describe('since the workshop', () => {
  it('keeps a step-4 link in the workshop document, and refuses one that is too long', () => {
    const base = { id: 'o1', title: 'Upsell', personaId: '', area: 'monetization', improvementPct: 1, effort: 1, confidence: 1, benchmark: '', goal: '', notes: '', votes: {}, chosen: true };
    const shape = workshopSchema.shape.opportunities.element;
    expect(shape.parse({ ...base, messageId: 'upsell-1', goalEvent: 'plan_upgraded' })).toMatchObject({ messageId: 'upsell-1', goalEvent: 'plan_upgraded' });
    expect(shape.safeParse({ ...base, goalEvent: 'x'.repeat(201) }).success).toBe(false);
  });

  it('lists each chosen opportunity with its message, status and reach in the Markdown and the PDF', async () => {
    const cache = tempCache();
    buildWorld(cache.db, [
      { user: 'a', identify: { plan: 'starter' }, ts: AS_OF - 10 * DAY, id: 'a0' },
      { user: 'a', event: 'message_shown', ts: AS_OF - 5 * DAY, properties: { message_id: 'upsell-1' }, id: 'a1' },
      { user: 'a', event: 'message_shown', ts: AS_OF - 4 * DAY, properties: { message_id: 'upsell-1' }, id: 'a2' },
      { user: 'b', event: 'message_shown', ts: AS_OF - 3 * DAY, properties: { message_id: 'upsell-1' }, id: 'b1' },
      { user: 'c', event: 'message_shown', ts: AS_OF - 3 * DAY, properties: { message_id: 'other' }, id: 'c1' },
      { user: 'd', event: 'message_shown', ts: AS_OF + DAY, properties: { message_id: 'upsell-1' }, id: 'd1' }, // after "data as of"
    ]);
    createKvRepo(cache.db).set('data_as_of', String(AS_OF));
    const backend = testBackend(cache);
    await withSegment(backend);
    await backend.handlers.saveMessage({ message: modalDraft({ name: 'Upsell at the limit' }) });
    const created = await backend.handlers.createWorkshop({ title: 'Taskly Q3', template: 'personas' });
    await backend.handlers.saveWorkshop({
      workshop: {
        ...created,
        opportunities: [
          opportunity('o1', 'Upsell starter admins', { messageId: 'upsell-1', goalEvent: 'plan_upgraded' }),
          opportunity('o2', 'Weekly digest', {}),
          opportunity('o3', 'Gone message', { messageId: 'deleted-one' }),
          opportunity('o4', 'Not chosen', { chosen: false, messageId: 'upsell-1' }),
        ],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'guidepost-since-'));
    const [md] = await backend.exportWorkshopTo(created.id, 'md', dir);
    const text = readFileSync(md ?? '', 'utf8');
    const section = text.slice(text.indexOf('## Since the workshop'));
    expect(section).toContain('As of 2026-06-30 00:00 UTC.');
    expect(section).toContain('- **Upsell starter admins**: Message “Upsell at the limit” (draft), reached 2 users; goal “plan\\_upgraded”; lift not measured yet.');
    expect(section).toContain('- **Weekly digest**: No message linked yet; no goal event.');
    expect(section).toContain('- **Gone message**: Message “deleted-one” is not in this cache; no goal event.');
    expect(section).not.toContain('Not chosen');

    const [pdf] = await backend.exportWorkshopTo(created.id, 'pdf', dir);
    const run = spawnSync('pdftotext', ['-layout', pdf ?? '', '-'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const pdfText = run.stdout.replace(/\s+/g, ' ');
    for (const s of ['Since the workshop', 'Upsell starter admins', 'Upsell at the limit', 'plan_upgraded', 'not measured yet', 'none linked yet']) expect(pdfText).toContain(s);
    backend.close();
  });

  it('gives each linked message’s lift as of the data: its interval against the holdout, or why not yet, in the Markdown and the PDF', async () => {
    const cache = tempCache();
    const T = AS_OF - 20 * DAY;
    // 300 exposed users of whom 150 upgrade within the window, 300 held out of whom 30 do: a clear answer.
    const records: TestRecord[] = [];
    for (let i = 0; i < 600; i++) {
      const user = `u${i}`;
      const group = i < 300 ? 'exposed' : 'holdout';
      records.push({ user, event: 'message_assigned', ts: T + i, properties: { message_id: 'upsell-1', group }, id: `${user}-a` });
      if ((group === 'exposed' && i % 2 === 0) || (group === 'holdout' && i % 10 === 0)) records.push({ user, event: 'plan_upgraded', ts: T + DAY + i, properties: null, id: `${user}-g` });
    }
    // A second message with a goal but only 4 assigned users: not clear yet.
    for (let i = 0; i < 4; i++) records.push({ user: `s${i}`, event: 'message_assigned', ts: T, properties: { message_id: 'small', group: i < 2 ? 'exposed' : 'holdout' }, id: `s${i}-a` });
    buildWorld(cache.db, records);
    createKvRepo(cache.db).set('data_as_of', String(AS_OF));
    const backend = testBackend(cache);
    await withSegment(backend);
    const goal = { event: 'plan_upgraded', withinDays: 14 };
    await backend.handlers.saveMessage({ message: modalDraft({ name: 'Upsell at the limit', goal, holdout: 10 }) });
    await backend.handlers.saveMessage({ message: modalDraft({ id: 'small', name: 'Small one', goal, holdout: 50 }) });
    const created = await backend.handlers.createWorkshop({ title: 'Taskly Q3', template: 'personas' });
    await backend.handlers.saveWorkshop({
      workshop: {
        ...created,
        opportunities: [opportunity('o1', 'Upsell starter admins', { messageId: 'upsell-1', goalEvent: 'plan_upgraded' }), opportunity('o2', 'Small test', { messageId: 'small' })],
      },
    });
    const lift = await backend.handlers.messageLift({ id: 'upsell-1' });
    const [lo, hi] = (lift.lift.ci95 ?? [0, 0]).map((v) => (v * 100).toFixed(1));
    expect(Number(lo)).toBeGreaterThan(0);
    const words = `lift on “plan_upgraded” +40.0 points (95% CI ${lo} to ${hi}), 300 vs 300 users; not enough users yet for a 2-point difference (about ${lift.neededPerGroup.toLocaleString('en-US')} per group)`;
    const dir = mkdtempSync(join(tmpdir(), 'guidepost-since-'));
    const [md] = await backend.exportWorkshopTo(created.id, 'md', dir);
    const section = readFileSync(md ?? '', 'utf8').slice(readFileSync(md ?? '', 'utf8').indexOf('## Since the workshop'));
    expect(section).toContain(`- **Upsell starter admins**: Message “Upsell at the limit” (draft), reached 0 users; goal “plan\\_upgraded”; ${words.replace(/_/g, '\\_')}.`);
    expect(section).toMatch(/- \*\*Small test\*\*: Message “Small one” \(draft\), reached 0 users; no goal event; lift on “plan\\_upgraded” 0\.0 points \(95% CI −\d+\.\d to \d+\.\d\), 2 vs 2 users; not enough users yet for a 2-point difference \(about 388 per group\)\./);
    const [pdf] = await backend.exportWorkshopTo(created.id, 'pdf', dir);
    const run = spawnSync('pdftotext', ['-layout', pdf ?? '', '-'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const pdfText = run.stdout.replace(/\s+/g, ' ');
    for (const s of ['+40.0 points', `(95% CI ${lo} to ${hi})`, '300 vs 300 users', '2 vs 2 users']) expect(pdfText).toContain(s);
    backend.close();
  });
});
