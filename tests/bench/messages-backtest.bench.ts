/**
 * npm run bench:messages-backtest: a 4-week backtest of one new message against the demo's two live
 * messages (the upsell modal and the NPS survey), on the demo workspace (50,000 users, ~1M events), through
 * the contract (handlers.messageBacktest: the real path). Target: < 1 s.
 *
 * Beside it, the floor: the same backtest done naively, with no indexing: every user of the cache is
 * walked, and every request rebuilds the user's profile from all their earlier records before asking
 * decide (the same shared chooseMessages). The naive run also checks that both give the same impressions
 * and reach. Prints median and p95 of the fast runs, the naive run, and the ratio.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byPriority, chooseMessages, compileMessage, type DecideProfile, type LiveMessage } from '../../src/delivery/decide';
import { publishSchema, type DecideBody } from '../../src/delivery/schemas';
import { createBackend } from '../../src/main/api';
import { openCache } from '../../src/main/db/connection';
import { ENGAGED_SEGMENT_ID } from '../../src/main/demo/example-messages';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { compileDraft } from '../../src/main/messages/backtest';
import { memorySecrets } from '../../src/main/messages/secrets';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { MessageDraft } from '../../src/shared/messages/model';
import type { ProfileEvent } from '../../src/shared/segments/evaluate';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const WEEKS = 4;
const DAY = 86_400_000;
const dir = join(tmpdir(), 'guidepost-bench');
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, 'messages-backtest-demo.db');

const { db, path } = openCache(dbPath);
if (db.prepare('SELECT count(*) FROM users').pluck().get() === 0) {
  process.stdout.write('Generating the demo workspace…\n');
  await generateDemo(db);
  db.exec('ANALYZE');
}
const backend = createBackend({ db, path, clock: () => DEMO_AS_OF, secrets: memorySecrets({ env: {} }), outbox: { autoStart: false } });
new SegmentService(db, () => DEMO_AS_OF).warmDerived();

/** The message under test: a modal for engaged users who run a report, weekly at most twice, with a goal. */
const draft: MessageDraft = {
  id: 'bench-timeline-reports',
  name: 'Try timeline reports',
  kind: 'modal',
  modal: { title: 'Timeline reports', body: 'See every project on one timeline.', cta: { label: 'Try it', url: 'https://app.taskly.example/reports/timeline' }, dismissLabel: 'Later' },
  target: { type: 'segment', segmentId: ENGAGED_SEGMENT_ID },
  trigger: { event: { name: 'report_run' } },
  frequency: { everyDays: 7, maxTimes: 2 },
  cooldownHours: 24,
  schedule: {},
  rollout: 100,
  priority: 5,
  environment: 'production',
  archived: false,
  goal: { event: 'plan_upgraded', withinDays: 14 },
};

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const p95 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * 0.95) - 1)] as number;

// --- Fast: the real path. ------------------------------------------------------------------------------
const fast: number[] = [];
let result = await backend.handlers.messageBacktest({ message: draft, weeks: WEEKS });
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  result = await backend.handlers.messageBacktest({ message: draft, weeks: WEEKS });
  fast.push(performance.now() - started);
}

// --- Naive: every user, every request, the profile rebuilt from scratch. --------------------------------
function naive(): { impressions: number; users: number; requests: number } {
  const segments = new SegmentService(db, () => DEMO_AS_OF);
  const workshops = new WorkshopService(db, () => DEMO_AS_OF, segments);
  const others = db
    .prepare<[string], { id: string; published_version: number; published_body: string }>("SELECT id, published_version, published_body FROM messages WHERE published_body IS NOT NULL AND id <> ?")
    .all(draft.id)
    .map((r) => compileMessage(r.id, r.published_version, 'running', publishSchema.parse(JSON.parse(r.published_body))));
  const messages: LiveMessage[] = [compileDraft({ segments, workshops }, draft), ...others].sort(byPriority);
  const to = DEMO_AS_OF;
  const from = to - WEEKS * 7 * DAY;
  const users = db.prepare<[], { user_pk: number; id: string; traits: string }>('SELECT user_pk, id, traits FROM users').all();
  const recordsOf = db.prepare<[number, number], { event_id: string; name: string; ts: number; properties: string | null }>(
    `SELECT e.event_id, n.name, e.ts, e.properties FROM events e JOIN event_names n USING (name_id)
      WHERE e.name_id IN (SELECT name_id FROM event_names) AND e.user_pk = ? AND e.ts < ?`,
  );
  const skip = new Set(['', 'message_shown', 'message_dismissed', 'message_clicked', 'survey_answered', 'message_assigned']);
  const replayed = new Set(messages.map((m) => m.id));
  let impressions = 0;
  let reached = 0;
  let requests = 0;
  for (const user of users) {
    const records = recordsOf
      .all(user.user_pk, to)
      .map((r) => ({ id: r.event_id, name: r.name, ts: r.ts, properties: r.properties === null ? null : (JSON.parse(r.properties) as Record<string, unknown>) }))
      .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
    const traits = JSON.parse(user.traits) as Record<string, unknown>;
    const shows = new Map<string, { times: number; firstShown: number; lastShown: number }>();
    let lastShown: number | null = null;
    let shownHere = 0;
    const show = (messageId: string, ts: number): void => {
      const held = shows.get(messageId);
      if (held) {
        held.times += 1;
        held.lastShown = ts;
      } else shows.set(messageId, { times: 1, firstShown: ts, lastShown: ts });
      lastShown = ts;
    };
    records.forEach((record, i) => {
      // Shows recorded before the window are the server's frequency state when the window opens.
      const shownId = record.properties?.message_id;
      if (record.ts < from && record.name === 'message_shown' && typeof shownId === 'string' && replayed.has(shownId)) show(shownId, record.ts);
      if (record.ts < from || skip.has(record.name)) return;
      requests += 1;
      const before = records.slice(0, i);
      const events: ProfileEvent[] = before.filter((r) => r.name !== '');
      const profile: DecideProfile = {
        traits,
        events,
        firstSeen: before.length === 0 ? null : Math.min(...before.map((r) => r.ts)),
        lastSeen: before.length === 0 ? null : Math.max(...before.map((r) => r.ts)),
        accounts: [],
        shows,
        lastShown,
        nps: null,
      };
      const url = record.name === 'page_viewed' ? (record.properties?.url as string | undefined) : undefined;
      const request: DecideBody = record.name === 'page_viewed' ? { userId: user.id, environment: 'production', ...(url ? { url } : {}) } : { userId: user.id, environment: 'production', event: { name: record.name, properties: record.properties ?? {} } };
      for (const m of chooseMessages(messages, request, () => profile, record.ts)) {
        show(m.id, record.ts);
        if (m.id === draft.id) shownHere += 1;
      }
    });
    impressions += shownHere;
    if (shownHere > 0) reached += 1;
  }
  return { impressions, users: reached, requests };
}

const naiveStarted = performance.now();
const floor = naive();
const naiveMs = performance.now() - naiveStarted;

const ms = (v: number): string => `${v.toFixed(0)} ms`;
process.stdout.write(`4-week backtest of one message against the demo's ${result.competitors.length} live messages (median and p95 of ${RUNS} runs; naive: 1 run)\n\n`);
process.stdout.write(`  fast  (prefiltered, one pass per user): median ${ms(median(fast))}, p95 ${ms(p95(fast))}  target < 1000 ms\n`);
process.stdout.write(`        ${result.replayed.users} users and ${result.replayed.requests} requests replayed; ${result.impressions} impressions to ${result.usersReached} users\n`);
process.stdout.write(`  naive (every user, profile rebuilt per request): ${ms(naiveMs)}  (${(naiveMs / median(fast)).toFixed(0)}× the fast median)\n`);
process.stdout.write(`        ${floor.requests} requests; ${floor.impressions} impressions to ${floor.users} users\n`);
if (floor.impressions !== result.impressions || floor.users !== result.usersReached) {
  process.stdout.write('  MISMATCH: the naive and fast backtests disagree\n');
  process.exitCode = 1;
}
process.stdout.write(`\n  weekly impressions: ${result.impressionsPerWeek.map((w) => w.impressions).join(', ')}; blocked: ${result.blocked.byMessage.map((b) => `${b.messageId} (${b.reason}) ${b.users} users`).join('; ') || 'none'}\n`);
if (result.goal) process.stdout.write(`  goal baseline: ${result.goal.converted} of ${result.goal.reached} (${(result.goal.rate * 100).toFixed(1)}%)\n`);
backend.close();
db.close();
