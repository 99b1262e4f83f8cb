/**
 * The backtest's floor for npm run bench:messages: the draft the benchmark backtests, and the same
 * backtest done naively, with no indexing: every user of the cache is walked, and every request rebuilds
 * the user's profile from all their earlier records before asking decide (the same shared chooseMessages).
 * The benchmark checks that it gives the same impressions and reach as the real path.
 */
import { byPriority, chooseMessages, compileMessage, type DecideProfile, type LiveMessage } from '../../src/delivery/decide';
import { publishSchema, type DecideBody } from '../../src/delivery/schemas';
import type { Db } from '../../src/main/db/connection';
import { ENGAGED_SEGMENT_ID } from '../../src/main/demo/example-messages';
import { compileDraft } from '../../src/main/messages/backtest';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import type { MessageDraft } from '../../src/shared/messages/model';
import type { ProfileEvent } from '../../src/shared/segments/evaluate';

const DAY = 86_400_000;

/** The message under test: a modal for engaged users who run a report, weekly at most twice, with a goal. */
export const BACKTEST_DRAFT: MessageDraft = {
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

/** Every user, every request, the profile rebuilt from scratch: impressions, users reached and requests. */
export function naiveBacktest(db: Db, asOf: number, draft: MessageDraft, weeks: number): { impressions: number; users: number; requests: number } {
  const segments = new SegmentService(db, () => asOf);
  const workshops = new WorkshopService(db, () => asOf, segments);
  const others = db
    .prepare<[string], { id: string; published_version: number; published_body: string }>('SELECT id, published_version, published_body FROM messages WHERE published_body IS NOT NULL AND id <> ?')
    .all(draft.id)
    .map((r) => compileMessage(r.id, r.published_version, 'running', publishSchema.parse(JSON.parse(r.published_body))));
  const messages: LiveMessage[] = [compileDraft({ segments, workshops }, draft), ...others].sort(byPriority);
  const to = asOf;
  const from = to - weeks * 7 * DAY;
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
    let lastUrl: string | undefined;
    records.forEach((record, i) => {
      const pageUrl = record.name === 'page_viewed' ? record.properties?.url : undefined;
      // The page the user is on for the requests after this record (a tracked event asks with the one before it).
      const urlBefore = lastUrl;
      if (typeof pageUrl === 'string') lastUrl = pageUrl;
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
      // As the SDK asks: a page view with its url, a screen view alone, a tracked event with the latest page's url.
      const url = record.name === 'page_viewed' ? (record.properties?.url as string | undefined) : urlBefore;
      const request: DecideBody =
        record.name === 'page_viewed' || record.name === 'screen_viewed'
          ? { userId: user.id, environment: 'production', ...(url ? { url } : {}) }
          : { userId: user.id, environment: 'production', ...(url ? { url } : {}), event: { name: record.name, properties: record.properties ?? {} } };
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
