/**
 * Reading the backtest's histories from the cache (backtest.ts replays them), a chunk of users at a time.
 *
 * Two ways, which give the replay the same decisions:
 * - `everything`: every record of each user up to the horizon. The reference, and the way when some
 *   message answers any request (no trigger) or a rule reads first or last seen.
 * - `relevant`: only the records that can change a decision or a figure (relevantNames), and, when a
 *   message has a page trigger, the tracked events made while the user was on a matching page (a
 *   tracked event asks decide with the URL of the latest page view). Every other request of the window
 *   matches no message's trigger, so decide answers it with nothing without looking at the profile: it
 *   is counted (countRequests) but not replayed.
 *
 * Speed: the events table has no index by user and instant (only (name_id, user_pk, ts)), so a user's
 * records are found by one seek per name. One statement per chunk of users and group of names (the
 * users as one JSON array) rather than one per user: statement calls, not seeks, were most of the cost.
 */
import { globMatch, type LiveMessage } from '../../delivery/decide';
import { NPS_EVENT } from '../../shared/segments/values';
import type { Condition, Rule } from '../../shared/segments/rule';
import { DAY_MS, fieldOf } from '../../shared/segments/values';
import type { Db } from '../db/connection';

export const SHOWN = 'message_shown';
export const PAGE_EVENT = 'page_viewed';
export const SCREEN_EVENT = 'screen_viewed';
/** Records the SDK writes itself when it renders a message, and the server's assignment record: none asks decide. */
export const NOT_REQUESTS: ReadonlySet<string> = new Set([SHOWN, 'message_dismissed', 'message_clicked', NPS_EVENT, 'message_assigned']);

/** One record of a user's history: an event, or an identify call (name ''). Properties parse on first use. */
export interface HistoryRecord {
  id: string;
  /** '' for an identify call: a record (first and last seen) but no event and no request. */
  name: string;
  ts: number;
  properties: () => Record<string, unknown> | null;
}

/** A user to replay, as the cache holds them. */
export interface Candidate {
  userPk: number;
  id: string;
  traits: string;
  firstSeen: number | null;
}

/**
 * One row of a history as read from the cache: the properties stay JSON text until something asks for
 * them (most records are never looked into), parsed once. A class, so a row costs one small object.
 */
class CachedRecord implements HistoryRecord {
  private parsed: Record<string, unknown> | null | undefined;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly ts: number,
    private readonly text: string | null,
  ) {}
  properties(): Record<string, unknown> | null {
    if (this.parsed === undefined) this.parsed = this.text === null ? null : (JSON.parse(this.text) as Record<string, unknown>);
    return this.parsed;
  }
}

/**
 * A row read from the index alone (name, user, instant and rowid): its id and properties are read from
 * the table only when asked, which for the names no filter looks into is only when two records share an
 * instant (the id orders them).
 */
class IndexedRecord implements HistoryRecord {
  private row: [string, string | null] | undefined;
  private parsed: Record<string, unknown> | null | undefined;
  constructor(
    private readonly eventPk: number,
    readonly name: string,
    readonly ts: number,
    private readonly fetch: (eventPk: number) => [string, string | null],
  ) {}
  get id(): string {
    return (this.row ??= this.fetch(this.eventPk))[0];
  }
  properties(): Record<string, unknown> | null {
    if (this.parsed === undefined) {
      const text = (this.row ??= this.fetch(this.eventPk))[1];
      this.parsed = text === null ? null : (JSON.parse(text) as Record<string, unknown>);
    }
    return this.parsed;
  }
}

/** Event names whose properties some condition, trigger or goal filter looks into, with the records whose properties matter always. */
function filteredNames(messages: readonly LiveMessage[], goalEvent: string | null): Set<string> {
  const names = new Set<string>([SHOWN, NPS_EVENT, PAGE_EVENT]);
  if (goalEvent !== null) names.add(goalEvent);
  const visit = (conditions: readonly Condition[]): void => {
    for (const c of conditions) {
      if (c.type === 'event' && (c.where?.length ?? 0) > 0) names.add(c.event);
      else if (c.type === 'group') visit(c.conditions);
    }
  };
  for (const m of messages) {
    visit(m.rule.conditions);
    if (m.event !== null && m.event.where.length > 0) names.add(m.event.name);
  }
  return names;
}

/** What the history is read for: the replayed messages, the window [from, to), the goal's event and its horizon. */
export interface HistoryPlan {
  messages: readonly LiveMessage[];
  from: number;
  to: number;
  goalEvent: string | null;
  /** Records up to here are read for the goal (the window's end plus the goal's days); the rest up to `to`. */
  horizon: number;
}

/** Decide requests of the window, of the users of a chunk, as the replay of every record would count them. */
export interface RequestCounts {
  requests: number;
  /** Page and screen views (requests without an event). */
  pageRequests: number;
  /** Of those, the ones without a url (screen views, page views without one). */
  pageViewsWithoutUrl: number;
}

export interface ChunkHistories {
  /** Per user of the chunk, in the chunk's order: ascending by instant, then record id (as SQLite orders text). */
  records: HistoryRecord[][];
  /** Per user of the chunk: the current traits of each account they belong to. */
  accounts: Record<string, unknown>[][];
  /** The window's requests when the records are not all of them (then the replay cannot count them); null when they are. */
  counts: RequestCounts | null;
}

export type HistoryMode = 'everything' | 'relevant';

/** Whether any condition of these rules reads first or last seen (then every record counts). */
function readsSeen(rules: readonly Rule[]): boolean {
  const visit = (conditions: readonly Condition[]): boolean =>
    conditions.some((c) => c.type === 'first_seen' || c.type === 'last_seen' || (c.type === 'group' && visit(c.conditions)));
  return rules.some((r) => visit(r.conditions));
}

/** The way a plan's histories can be read: everything when a message answers any request or a rule reads first or last seen. */
export function historyMode(messages: readonly LiveMessage[]): HistoryMode {
  const anyRequest = messages.some((m) => m.page === null && m.event === null);
  return anyRequest || readsSeen(messages.map((m) => m.rule)) ? 'everything' : 'relevant';
}

/**
 * Per event name an event condition of these rules counts: the oldest instant a condition on it reads
 * when judged at `from` or later: `from` minus its longest "in the last d days", or the beginning of
 * time when one counts events ever.
 */
function lookBacks(rules: readonly Rule[], from: number): Map<string, number> {
  const oldest = new Map<string, number>();
  const visit = (conditions: readonly Condition[]): void => {
    for (const c of conditions) {
      if (c.type === 'event') {
        const instant = c.within === undefined ? -Number.MAX_SAFE_INTEGER : from - c.within.days * DAY_MS;
        oldest.set(c.event, Math.min(oldest.get(c.event) ?? from, instant));
      } else if (c.type === 'group') visit(c.conditions);
    }
  };
  for (const rule of rules) visit(rule.conditions);
  return oldest;
}

const EVER = -Number.MAX_SAFE_INTEGER;

/**
 * Per name, the range [since, until) of records that can change a decision or a figure: each name a
 * rule counts from the oldest instant a condition on it looks back to at the window's start; every
 * show and NPS answer (frequency state, the latest answer); inside the window the page views (a page
 * trigger's requests, the URL a tracked event carries) and the messages' trigger events; up to the
 * horizon the goal's event. (The page view before the window that holds the URL at its start is read
 * apart: latestPageBefore.)
 */
export function relevantNames(plan: HistoryPlan): Map<string, { since: number; until: number }> {
  const ranges = new Map<string, { since: number; until: number }>();
  const need = (name: string, since: number, until: number): void => {
    const held = ranges.get(name);
    ranges.set(name, held ? { since: Math.min(held.since, since), until: Math.max(held.until, until) } : { since, until });
  };
  for (const [name, instant] of lookBacks(
    plan.messages.map((m) => m.rule),
    plan.from,
  ))
    need(name, instant, plan.to);
  need(SHOWN, EVER, plan.to);
  need(NPS_EVENT, EVER, plan.to);
  need(PAGE_EVENT, plan.from, plan.to);
  for (const m of plan.messages) if (m.event !== null) need(m.event.name, plan.from, plan.to);
  if (plan.goalEvent !== null) need(plan.goalEvent, plan.from, plan.horizon);
  return ranges;
}

type Row = [userPk: number, id: string, nameId: number, ts: number, properties: string | null];
type IndexRow = [userPk: number, eventPk: number, nameId: number, ts: number];

/** Orders record ids as SQLite orders text (by code point): JS's < orders UTF-16 units, which differs past U+FFFF. */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xHigh = x >= 0xd800 && x <= 0xdfff;
    const yHigh = y >= 0xd800 && y <= 0xdfff;
    // A surrogate stands for a code point above U+FFFF, above every unit that is not one.
    if (xHigh !== yHigh) return xHigh ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const byInstantThenId = (a: HistoryRecord, b: HistoryRecord): number => a.ts - b.ts || compareIds(a.id, b.id);

/**
 * The page patterns' stretches of one user's window: from a page view whose URL matches a pattern to
 * the next page view with a URL (inclusive: records of the same instant order by id), clipped to the
 * window. Page views are given in history order.
 */
function matchingStretches(pageViews: readonly HistoryRecord[], patterns: readonly string[], from: number, to: number): [number, number][] {
  const stretches: [number, number][] = [];
  let openedAt: number | null = null;
  const close = (at: number): void => {
    if (openedAt === null || at < from) return;
    const start = Math.max(openedAt, from);
    const last = stretches[stretches.length - 1];
    // Two stretches that meet at one instant are read as one, so no record is read twice.
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], at);
    else stretches.push([start, at]);
  };
  for (const view of pageViews) {
    if (view.ts >= to) break;
    const url = fieldOf(view.properties(), 'url');
    if (typeof url !== 'string') continue;
    const matches = patterns.some((p) => globMatch(p, url));
    if (matches && openedAt !== null) continue;
    close(view.ts);
    openedAt = matches ? view.ts : null;
  }
  close(to - 1);
  return stretches;
}

/**
 * The reader of a plan's histories: call it with each chunk of users, in order. `mode` 'relevant' reads
 * what relevantNames says, plus the page patterns' stretches, and counts the window's requests in SQL.
 */
export function historyReader(db: Db, plan: HistoryPlan, mode: HistoryMode): (users: readonly Candidate[]) => ChunkHistories {
  const names = db.prepare<[], { name_id: number; name: string }>('SELECT name_id, name FROM event_names').all();
  const nameOf = new Map(names.map((r) => [r.name_id, r.name]));
  const idOf = new Map(names.map((r) => [r.name, r.name_id]));
  const columns = 'SELECT user_pk, event_id, name_id, ts, properties FROM events';
  // What the (name_id, user_pk, ts) index holds: rows that need no visit to the table.
  const indexColumns = 'SELECT user_pk, event_pk, name_id, ts FROM events';
  const rowOf = db.prepare<[number], [string, string | null]>('SELECT event_id, properties FROM events WHERE event_pk = ?').raw(true);
  const fetch = (eventPk: number): [string, string | null] => rowOf.get(eventPk) as [string, string | null];
  const inChunk = 'user_pk IN (SELECT value FROM json_each(@users))';
  const accountsOf = db
    .prepare<[{ users: string }], [number, string]>(
      `SELECT m.user_pk, a.traits FROM account_members m JOIN accounts a USING (account_pk) WHERE m.${inChunk} ORDER BY m.user_pk, a.account_pk`,
    )
    .raw(true);

  // "name_id IN (…)" lets the (name_id, user_pk, ts) index answer with one seek per name and user.
  const statements: { query: ReturnType<Db['prepare']>; until: number; indexed: boolean }[] = [];
  const isRequest = (name: string): boolean => name !== '' && !NOT_REQUESTS.has(name);
  // Names read over the whole window: their requests are counted from the records, the others' in SQL.
  const wholeRequests = new Set<string>();
  // Tracked events read for the page stretches: those of names read over the whole window anyway are not read twice.
  let trackedIds: number[] = [];
  if (mode === 'everything') {
    statements.push({ query: db.prepare(`${columns} WHERE name_id IN (SELECT name_id FROM event_names) AND ${inChunk} AND ts < @until`).raw(true), until: plan.horizon, indexed: false });
  } else {
    const groups = new Map<string, { since: number; until: number; indexed: boolean; ids: number[] }>();
    const filtered = filteredNames(plan.messages, plan.goalEvent);
    const relevant = relevantNames(plan);
    const whole = (name: string): boolean => {
      const range = relevant.get(name);
      return range !== undefined && range.since <= plan.from && range.until >= plan.to;
    };
    for (const name of relevant.keys()) if (whole(name) && isRequest(name)) wholeRequests.add(name);
    trackedIds = names.filter((r) => isRequest(r.name) && r.name !== PAGE_EVENT && r.name !== SCREEN_EVENT && !whole(r.name)).map((r) => r.name_id);
    for (const [name, range] of relevant) {
      const id = idOf.get(name);
      if (id === undefined) continue;
      const indexed = !filtered.has(name);
      const key = `${range.since}:${range.until}:${indexed}`;
      const group = groups.get(key) ?? { ...range, indexed, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    for (const g of groups.values()) {
      const selected = g.indexed ? indexColumns : columns;
      statements.push({ query: db.prepare(`${selected} WHERE name_id IN (${g.ids.join(',')}) AND ${inChunk} AND ts >= ${g.since} AND ts < @until`).raw(true), until: g.until, indexed: g.indexed });
    }
  }
  const patterns = mode === 'relevant' ? [...new Set(plan.messages.flatMap((m) => (m.page !== null && m.event === null ? [m.page] : [])))] : [];
  const stretchQuery =
    patterns.length > 0 && trackedIds.length > 0
      ? db
          .prepare<[string], IndexRow>(
            `SELECT e.user_pk, e.event_pk, e.name_id, e.ts FROM json_each(?) j CROSS JOIN events e
              WHERE e.name_id IN (${trackedIds.join(',')}) AND e.user_pk = j.value ->> 0 AND e.ts >= j.value ->> 1 AND e.ts <= j.value ->> 2`,
          )
          .raw(true)
      : null;
  const countedIds = names.filter((r) => isRequest(r.name) && !wholeRequests.has(r.name)).map((r) => r.name_id);
  const countQuery =
    mode === 'relevant' && countedIds.length > 0
      ? db
          .prepare<[{ users: string; from: number; to: number }], [number, number]>(
            `SELECT name_id, count(*) FROM events WHERE name_id IN (${countedIds.join(',')}) AND ${inChunk} AND ts >= @from AND ts < @to GROUP BY name_id`,
          )
          .raw(true)
      : null;
  // A user's first record, when it was not read: its id decides whether it comes before a read record of the same instant.
  const firstIdAt = db.prepare<[number, number], string>('SELECT event_id FROM events WHERE name_id IN (SELECT name_id FROM event_names) AND user_pk = ? AND ts = ?').pluck();
  const pageId = idOf.get(PAGE_EVENT);
  // The URL at the start of the page views read: the latest page view before them that has one (as SQLite orders ids).
  const pagesSince = mode === 'relevant' ? (relevantNames(plan).get(PAGE_EVENT)?.since ?? plan.from) : plan.from;
  const latestPageBefore =
    mode === 'relevant' && pageId !== undefined
      ? db
          .prepare<[{ users: string; since: number }], Row>(
            `SELECT user_pk, event_id, name_id, ts, properties FROM (
               SELECT user_pk, event_id, name_id, ts, properties, row_number() OVER (PARTITION BY user_pk ORDER BY ts DESC, event_id DESC) AS k
                 FROM events WHERE name_id = ${pageId} AND ${inChunk} AND ts < @since AND json_type(properties, '$.url') = 'text')
             WHERE k = 1`,
          )
          .raw(true)
      : null;
  const screenId = idOf.get(SCREEN_EVENT);

  return (users) => {
    const userList = JSON.stringify(users.map((u) => u.userPk));
    const index = new Map(users.map((u, i) => [u.userPk, i]));
    const records: HistoryRecord[][] = users.map(() => []);
    const add = (row: Row): void => {
      const [userPk, id, nameId, ts, text] = row;
      records[index.get(userPk) as number]?.push(new CachedRecord(id, nameOf.get(nameId) ?? '', ts, text));
    };
    const addIndexed = (row: IndexRow): void => {
      const [userPk, eventPk, nameId, ts] = row;
      records[index.get(userPk) as number]?.push(new IndexedRecord(eventPk, nameOf.get(nameId) ?? '', ts, fetch));
    };
    for (const s of statements) {
      const rows = s.query.all({ users: userList, until: s.until });
      if (s.indexed) for (const row of rows as IndexRow[]) addIndexed(row);
      else for (const row of rows as Row[]) add(row);
    }
    for (const row of latestPageBefore?.all({ users: userList, since: pagesSince }) ?? []) add(row);
    for (const list of records) list.sort(byInstantThenId);

    let counts: RequestCounts | null = null;
    if (mode === 'relevant') {
      const counted: RequestCounts = { requests: 0, pageRequests: 0, pageViewsWithoutUrl: 0 };
      for (const [nameId, n] of countQuery?.all({ users: userList, from: plan.from, to: plan.to }) ?? []) {
        counted.requests += n;
        if (nameId === pageId || nameId === screenId) counted.pageRequests += n;
        if (nameId === screenId) counted.pageViewsWithoutUrl += n;
      }
      counts = counted;
      const stretches: [number, number, number][] = [];
      users.forEach((user, i) => {
        for (const r of records[i] as HistoryRecord[]) {
          if (r.ts < plan.from || r.ts >= plan.to || !wholeRequests.has(r.name)) continue;
          counted.requests += 1;
          if (r.name === PAGE_EVENT) counted.pageRequests += 1;
        }
        const views = (records[i] as HistoryRecord[]).filter((r) => r.name === PAGE_EVENT);
        for (const r of views) if (r.ts >= plan.from && r.ts < plan.to && typeof fieldOf(r.properties(), 'url') !== 'string') counted.pageViewsWithoutUrl += 1;
        if (stretchQuery !== null) for (const [start, end] of matchingStretches(views, patterns, plan.from, plan.to)) stretches.push([user.userPk, start, end]);
      });
      if (stretchQuery !== null && stretches.length > 0) {
        const before = records.map((list) => list.length);
        for (const row of stretchQuery.all(JSON.stringify(stretches))) addIndexed(row);
        records.forEach((list, i) => {
          if (list.length > (before[i] as number)) list.sort(byInstantThenId);
        });
      }
      users.forEach((user, i) => {
        const list = records[i] as HistoryRecord[];
        // Decide judges no one it has never seen: the user's first record counts, read or not.
        const firstSeen = user.firstSeen;
        const head = list[0];
        if (firstSeen === null) return;
        if (head === undefined || firstSeen < head.ts) list.unshift(new CachedRecord('', '', firstSeen, null));
        else if (firstSeen === head.ts) {
          // The first record shares its instant with the first one read: ids decide which came first.
          const firstId = firstIdAt.all(user.userPk, firstSeen).reduce((min, id) => (compareIds(id, min) < 0 ? id : min), head.id);
          if (firstId !== head.id) list.unshift(new CachedRecord(firstId, '', firstSeen, null));
        }
      });
    }
    const accounts: Record<string, unknown>[][] = users.map(() => []);
    for (const [userPk, traits] of accountsOf.all({ users: userList })) accounts[index.get(userPk) as number]?.push(JSON.parse(traits) as Record<string, unknown>);
    return { records, accounts, counts };
  };
}
