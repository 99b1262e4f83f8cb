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
import { buildWorld, DAY } from './segments-helpers';

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
});
