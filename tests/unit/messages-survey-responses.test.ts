/**
 * A survey's responses as CSV (src/main/messages/survey-responses.ts): written by
 * `guidepost message responses <id> --db <file> --format csv --out <path>` and by the messageResponsesCsv
 * handler, then read back with csv-parse: one row per response, equal to the events it came from,
 * awkward texts (commas, quotes, line breaks, Arabic) included; a partial response has empty cells.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import type { MessageDraft } from '../../src/shared/messages/model';
import { useTempCache } from './helpers';
import { modalDraft, rulePersona, testBackend, withSegment } from './messages-helpers';
import { buildWorld, DAY, type TestRecord } from './segments-helpers';

const tempCache = useTempCache();

const T0 = Date.UTC(2026, 4, 20, 9);
const MINUTE = 60_000;

const surveyDraft: MessageDraft = modalDraft({
  id: 'csat-reports',
  name: 'Reports CSAT',
  kind: 'survey',
  modal: undefined,
  survey: {
    questions: [
      { id: 'sat', type: 'csat', text: 'How satisfied are you?', lowLabel: 'Not', highLabel: 'Very', branches: [{ when: { max: 3 }, goTo: 'why' }], next: 'more' },
      { id: 'why', type: 'single_choice', text: 'Why?', choices: [{ id: 'slow', label: 'Slow' }, { id: 'price', label: 'Price' }], other: { label: 'Other' } },
      { id: 'more', type: 'open_text', text: 'Anything else?' },
    ],
    thankYou: 'Thanks',
    dismissLabel: 'Close',
  },
});

interface Synthetic {
  responseId: string;
  user: string;
  locale: string;
  sat: number;
  why?: { choice: string; text?: string };
  more?: string;
  closed?: { last: string; completed: boolean };
}

const RESPONSES: Synthetic[] = [
  { responseId: 'r1', user: 'u1', locale: 'en', sat: 5, more: 'Fine, really "great", thanks', closed: { last: 'more', completed: true } },
  { responseId: 'r2', user: 'u2', locale: 'ar', sat: 2, why: { choice: 'other', text: 'التقارير بطيئة\nجدا' }, more: 'شكرا', closed: { last: 'more', completed: true } },
  { responseId: 'r3', user: 'u3', locale: 'en', sat: 1, why: { choice: 'price' }, closed: { last: 'more', completed: false } },
  { responseId: 'r4', user: 'u1', locale: 'fr', sat: 3 },
];

function eventsOf(r: Synthetic, start: number): TestRecord[] {
  const base = { message_id: 'csat-reports', response_id: r.responseId, locale: r.locale };
  const out: TestRecord[] = [{ user: r.user, event: 'survey_answered', ts: start, properties: { ...base, question_id: 'sat', question_type: 'csat', survey: 'csat', score: r.sat } }];
  if (r.why) out.push({ user: r.user, event: 'survey_answered', ts: start + MINUTE, properties: { ...base, question_id: 'why', question_type: 'single_choice', survey: 'single_choice', choice: r.why.choice, ...(r.why.text ? { text: r.why.text } : {}) } });
  if (r.more) out.push({ user: r.user, event: 'survey_answered', ts: start + 2 * MINUTE, properties: { ...base, question_id: 'more', question_type: 'open_text', survey: 'open_text', text: r.more } });
  if (r.closed) out.push({ user: r.user, event: 'survey_closed', ts: start + 3 * MINUTE, properties: { ...base, last_question_id: r.closed.last, completed: r.closed.completed } });
  return out;
}

async function cacheWithResponses(extra: TestRecord[] = []) {
  const cache = tempCache();
  const records: TestRecord[] = [
    { user: 'u1', identify: { plan: 'starter' }, ts: T0 - 10 * DAY },
    { user: 'u2', identify: { plan: 'growth' }, ts: T0 - 10 * DAY },
    { user: 'u3', identify: { plan: 'starter' }, ts: T0 - 10 * DAY },
    ...RESPONSES.flatMap((r, i) => eventsOf(r, T0 + i * DAY)),
    ...extra,
  ];
  buildWorld(cache.db, records);
  const backend = testBackend(cache);
  await withSegment(backend);
  await backend.handlers.saveMessage({ message: surveyDraft });
  const workshop = await backend.handlers.createWorkshop({ title: 'Acme', template: 'personas' });
  const starter = { version: 1 as const, match: 'all' as const, conditions: [{ type: 'trait' as const, trait: 'plan', op: 'eq' as const, value: 'starter' }] };
  await backend.handlers.saveWorkshop({ workshop: { ...workshop, personas: [rulePersona('p1', 'Solo founders', starter), rulePersona('p2', 'Small, "busy" teams', starter)] } });
  return { cache, backend };
}

const parseCsv = (text: string): string[][] => parse(text, { bom: true, record_delimiter: '\r\n', relax_column_count: false }) as string[][];

describe('survey responses CSV', () => {
  it('the CLI writes one row per response that parses back to the events', async () => {
    const { cache, backend } = await cacheWithResponses();
    backend.close();
    cache.db.close();
    const out = join(cache.dir, 'responses.csv');
    const printed: string[] = [];
    const code = await runCli(['message', 'responses', 'csat-reports', '--db', cache.path, '--format', 'csv', '--out', out, '--json'], { stdout: (t) => printed.push(t), stderr: (t) => printed.push(t) });
    expect(code).toBe(0);
    expect(JSON.parse(printed[0] as string)).toEqual({ file: out, responses: 4 });

    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual(['response_id', 'user_id', 'locale', 'started_at', 'closed_at', 'completed', 'personas', 'sat', 'why', 'why.other', 'more']);
    const personasOf = (user: string) => (user === 'u2' ? '' : 'Solo founders; Small, "busy" teams');
    const expected = RESPONSES.map((r, i) => {
      const start = T0 + i * DAY;
      // Complete: r1 (5 → more, answered), r2 (2 → why → more, all answered). r3 stopped before "more"; r4 never went on.
      const completed = r.responseId === 'r1' || r.responseId === 'r2';
      return [
        r.responseId,
        r.user,
        r.locale,
        new Date(start).toISOString(),
        r.closed ? new Date(start + 3 * MINUTE).toISOString() : '',
        String(completed),
        personasOf(r.user),
        String(r.sat),
        r.why?.choice ?? '',
        r.why?.text ?? '',
        r.more ?? '',
      ];
    });
    expect(rows).toEqual(expected);
  });

  it('the handler gives the same CSV with a file name; a text that looks like a formula is made plain', async () => {
    const { backend } = await cacheWithResponses([
      { user: 'u9', event: 'survey_answered', ts: T0 + 5 * DAY, properties: { message_id: 'csat-reports', response_id: 'r9', question_id: 'more', question_type: 'open_text', survey: 'open_text', text: '=HYPERLINK("x")', locale: 'en' } },
    ]);
    const { filename, csv, responses } = await backend.handlers.messageResponsesCsv({ id: 'csat-reports' });
    expect(filename).toBe('csat-reports-responses.csv');
    expect(responses).toBe(5);
    const rows = parseCsv(csv);
    expect(rows.at(-1)?.at(-1)).toBe(`'=HYPERLINK("x")`);
    backend.close();
  });

  it('the CLI names what is missing or wrong', async () => {
    const printed: string[] = [];
    const io = { stdout: (t: string) => printed.push(t), stderr: (t: string) => printed.push(t) };
    expect(await runCli(['message', 'responses', '--db', 'x.db', '--out', 'y.csv'], io)).not.toBe(0);
    expect(printed.join('\n')).toMatch(/name the survey message/);
    expect(await runCli(['message', 'responses', 'csat-reports', '--format', 'xlsx', '--out', 'y.csv'], io)).not.toBe(0);
    expect(printed.join('\n')).toMatch(/--format must be csv/);
    expect(await runCli(['message', 'responses', 'csat-reports', '--format', 'csv'], io)).not.toBe(0);
    expect(printed.join('\n')).toMatch(/--out <file>/);
  });
});
