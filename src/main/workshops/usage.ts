/**
 * Step 3: the personas' rules run against the cache as of the workshop's asOf.
 *
 * Membership comes from the segment engine (the persona's rule, segments inlined, compiled to SQL), so
 * every size here equals SegmentService.count for the same rule. The figures about members come from
 * one pass per event name over its (name_id, user_pk, ts) index range, folded in JS into typed arrays
 * indexed by user_pk; those per-name passes and the install base's activity are kept in memory per
 * data version and asOf, since the facilitator recomputes step 3 many times over the same cache.
 *
 * The threshold drag (thresholdSize) answers from memory: for a rule "key action ≥ T AND the rest",
 * the users who pass the rest and their key-action counts are fetched once, and each new T is a count
 * over that array. Anything else (an "any" rule, a threshold condition with property filters) is
 * answered by the segment engine.
 *
 * Definitions of activation, regular, frequent/casual and engagement: src/shared/workshop/usage.ts.
 */
import { ApiError } from '../../shared/errors';
import type { CountOp, Rule } from '../../shared/segments/rule';
import type { Persona, Workshop } from '../../shared/workshop/model';
import { thresholdCondition, withThreshold } from '../../shared/workshop/persona-rule';
import {
  frequentTarget,
  histogramCap,
  type ActionFrequency,
  type HistogramBin,
  type PersonaUsage,
  type ThresholdSize,
  type WorkshopUsage,
} from '../../shared/workshop/usage';
import type { Db } from '../db/connection';
import { DAY_MS } from '../db/rollup';
import type { SegmentService } from '../segments/service';

const WEEK_DAYS = 7;
/**
 * Entries kept per cache (a few workshops × personas × asOf values; the least recently used go first).
 * A name's stats hold two Int32Arrays and a byte per user and week: ~1 MB per 50,000 users at 4 weeks.
 */
const LIMITS = { names: 24, activity: 4, members: 64, candidates: 64, counts: 256 } as const;

// ---------------------------------------------------------------------------------------------------
// Caches, per connection, dropped whenever the cache's data changes.

/** Per user_pk, what one event name looks like over the last days before asOf. */
interface NameStats {
  /** Times in the window (asOf − windowDays, asOf]. */
  inWindow: Int32Array;
  /** Distinct weeks (k = 0, 1, …) of the window with the event. */
  weeksInWindow: Int32Array;
  /** Times in week k (up to 255: only "at least once" and "at least 5" are asked), at [user_pk × weeks + k]. */
  perWeek: Uint8Array;
  weeks: number;
}

/** For the threshold drag: the key-action count of every user who passes the rest of the rule. */
interface Candidates {
  counts: Int32Array;
}

interface Caches {
  version: string;
  names: Map<string, NameStats>;
  /** Active days (any event) in the last n weeks, per user_pk. */
  activity: Map<string, Uint16Array>;
  candidates: Map<string, Candidates>;
  /** Members (user_pk) per inlined rule and asOf. */
  members: Map<string, Int32Array>;
  counts: Map<string, number>;
}

const cachesByDb = new WeakMap<Db, Caches>();

/**
 * A fingerprint of the cache's data: every writer appends events (identify calls too, as name 0) and
 * keeps the daily rollup, a deletion lowers the user count or the rollup, an identity merge (which
 * moves events between users) counts up kv.identity_merges and an erasure kv.users_erased. Cheap: two
 * rowid maxima, a count over the users' smallest index, a sum over the few thousand rollup rows and two kv rows.
 */
function dataVersion(db: Db): string {
  const row = db
    .prepare<[], { e: number | null; u: number | null; n: number; r: number; m: string | null; x: string | null }>(
      `SELECT (SELECT max(event_pk) FROM events) AS e, (SELECT max(user_pk) FROM users) AS u,
              (SELECT count(*) FROM users) AS n, (SELECT total(events) FROM event_daily) AS r,
              (SELECT value FROM kv WHERE key = 'identity_merges') AS m, (SELECT value FROM kv WHERE key = 'users_erased') AS x`,
    )
    .get();
  return row ? `${row.e ?? 0}:${row.u ?? 0}:${row.n}:${row.r}:${row.m ?? 0}:${row.x ?? 0}` : '';
}

function cachesFor(db: Db): Caches {
  const version = dataVersion(db);
  let caches = cachesByDb.get(db);
  if (!caches || caches.version !== version) {
    caches = { version, names: new Map(), activity: new Map(), candidates: new Map(), members: new Map(), counts: new Map() };
    cachesByDb.set(db, caches);
  }
  return caches;
}

function remember<V>(map: Map<string, V>, limit: number, key: string, make: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) {
    // Refresh its place: Map keeps insertion order, so the first key is the least recently used.
    map.delete(key);
    map.set(key, hit);
    return hit;
  }
  const value = make();
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
  return value;
}

/** Drops every cached figure (tests and the benchmark measure cold runs with it). */
export function clearUsageCache(db: Db): void {
  cachesByDb.delete(db);
}

// ---------------------------------------------------------------------------------------------------
// Per-name passes.

function maxUserPk(db: Db): number {
  return db.prepare<[], number | null>('SELECT max(user_pk) FROM users').pluck().get() ?? 0;
}

function nameIdOf(db: Db, name: string): number {
  return db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck().get(name) ?? -1;
}

/**
 * One pass over the name's index range in the last max(windowDays, 7 × weeks) days. Each row comes back
 * as one packed integer (user_pk × 8192 + days before asOf): a single plucked value per row is the
 * cheapest way through better-sqlite3, and the ORDER BY (the index's own order, so no sort) lets the
 * loop count distinct weeks per user by watching the week change.
 */
function nameStats(db: Db, name: string, asOf: number, windowDays: number, weeks: number, size: number): NameStats {
  const spanDays = Math.max(windowDays, weeks * WEEK_DAYS);
  const stats: NameStats = {
    inWindow: new Int32Array(size),
    weeksInWindow: new Int32Array(size),
    perWeek: new Uint8Array(size * weeks),
    weeks,
  };
  const nameId = nameIdOf(db, name);
  if (nameId < 0) return stats;
  // Numbers are bound as REAL: CAST keeps the day index an integer. spanDays ≤ 3650 < 8192.
  const rows = db
    .prepare<[Record<string, number>], number>(
      `SELECT e.user_pk * 8192 + CAST((@asOf - e.ts) / ${DAY_MS} AS INTEGER) FROM events e
        WHERE e.name_id = @nameId AND e.ts > @from AND e.ts <= @asOf ORDER BY e.user_pk, e.ts`,
    )
    .pluck()
    .all({ nameId, asOf, from: asOf - spanDays * DAY_MS });
  // The last in-window (user, week) seen: rows of a user come in time order, so a new week shows as a change.
  let lastUser = -1;
  let lastWeek = -1;
  for (const packed of rows) {
    const user = Math.floor(packed / 8192);
    const day = packed - user * 8192;
    const week = Math.floor(day / WEEK_DAYS);
    if (day < windowDays) {
      stats.inWindow[user] = (stats.inWindow[user] ?? 0) + 1;
      if (user !== lastUser || week !== lastWeek) stats.weeksInWindow[user] = (stats.weeksInWindow[user] ?? 0) + 1;
      lastUser = user;
      lastWeek = week;
    }
    if (week < weeks) {
      const at = user * weeks + week;
      stats.perWeek[at] = Math.min((stats.perWeek[at] ?? 0) + 1, 255);
    }
  }
  return stats;
}

/**
 * Active days (any event, identify calls excluded) in the last n weeks, per user_pk, for the whole cache:
 * the costliest pass (every event of n weeks), shared by every persona and kept per data version and asOf.
 */
function activeDays(db: Db, asOf: number, weeks: number, size: number): Uint16Array {
  const days = weeks * WEEK_DAYS;
  const result = new Uint16Array(size);
  // A day-bit per user: rows of different names interleave, so distinct days need a seen-set.
  const seen = new Uint8Array(size * days);
  const rows = db
    .prepare<[Record<string, number>], number>(
      `SELECT e.user_pk * 512 + CAST((@asOf - e.ts) / ${DAY_MS} AS INTEGER) FROM events e
        WHERE e.name_id > 0 AND e.ts > @from AND e.ts <= @asOf`,
    )
    .pluck()
    .all({ asOf, from: asOf - days * DAY_MS });
  for (const packed of rows) {
    const user = Math.floor(packed / 512);
    const at = user * days + (packed - user * 512);
    if (seen[at] === 0) {
      seen[at] = 1;
      result[user] = (result[user] ?? 0) + 1;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers.

function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

function satisfies(op: CountOp, value: number, count: number): boolean {
  switch (op) {
    case '>=':
      return value >= count;
    case '>':
      return value > count;
    case '=':
      return value === count;
    case '!=':
      return value !== count;
    case '<=':
      return value <= count;
    case '<':
      return value < count;
    default:
      return false;
  }
}

/** Unit bins up to a cap that follows the data (the 99th percentile of non-zero counts), then one open bin. */
function histogram(inWindow: Int32Array, total: number, threshold: number): HistogramBin[] {
  const nonZero: number[] = [];
  for (const c of inWindow) if (c > 0) nonZero.push(c);
  nonZero.sort((a, b) => a - b);
  const p99 = nonZero.length === 0 ? 0 : (nonZero[Math.min(nonZero.length - 1, Math.floor(nonZero.length * 0.99))] as number);
  const cap = histogramCap(p99, threshold);
  const bins: HistogramBin[] = Array.from({ length: cap + 1 }, (_, i) => ({ from: i, to: i < cap ? i + 1 : null, users: 0 }));
  // Users of the install base with no key action in the window: everyone the non-zero counts leave out.
  (bins[0] as HistogramBin).users = total - nonZero.length;
  for (const c of nonZero) (bins[Math.min(c, cap)] as HistogramBin).users += 1;
  return bins;
}

function personaOf(workshop: Workshop, personaId: string): Persona {
  const persona = workshop.personas.find((p) => p.id === personaId);
  if (!persona) throw new ApiError('not_found', `No persona with id ${personaId} in this workshop.`);
  return persona;
}

// ---------------------------------------------------------------------------------------------------
// Step 3.

interface Members {
  ids: Int32Array;
  /** The cache key of these members (inlined rule and asOf), for figures derived from them alone. */
  key: string;
  error: string | null;
}

/**
 * The persona's members by the segment engine: the same compiled query SegmentService.count runs. Kept per
 * inlined rule (so an edited referenced segment is a new key), asOf and data version: reopening step 3 or
 * editing one persona reruns only the rules that changed.
 */
function membersOf(db: Db, segments: SegmentService, caches: Caches, rule: Rule, asOf: number): Members {
  try {
    const inlined = segments.inline(rule);
    const key = JSON.stringify([inlined, asOf]);
    const ids = remember(caches.members, LIMITS.members, key, () => {
      const compiled = segments.compile(inlined, asOf);
      return Int32Array.from(db.prepare<[Record<string, unknown>], number>(`SELECT user_pk FROM (${compiled.sql})`).pluck().all(compiled.params));
    });
    return { ids, key, error: null };
  } catch (err) {
    return { ids: new Int32Array(0), key: '', error: (err as Error).message };
  }
}

/**
 * Members whose first key action came less than `days` after their first record. No record precedes first
 * seen, so "a key action in [first seen, first seen + days)" is the same test, and it is one index seek per
 * member rather than a pass over the name's whole history. The member ids go in as one JSON array.
 */
function activatedCount(db: Db, members: Int32Array, keyAction: string, days: number, asOf: number): number {
  if (members.length === 0) return 0;
  const nameId = nameIdOf(db, keyAction);
  if (nameId < 0) return 0;
  return (
    db
      .prepare<[Record<string, unknown>], number>(
        `SELECT count(*) FROM json_each(@ids) m JOIN users u ON u.user_pk = m.value
          WHERE EXISTS (SELECT 1 FROM events e WHERE e.name_id = @nameId AND e.user_pk = u.user_pk
                          AND e.ts >= u.first_seen AND e.ts < u.first_seen + @span AND e.ts <= @asOf)`,
      )
      .pluck()
      .get({ ids: JSON.stringify(Array.from(members)), nameId, span: days * DAY_MS, asOf }) ?? 0
  );
}

export function computeUsage(db: Db, segments: SegmentService, workshop: Workshop, asOf: number): WorkshopUsage {
  const started = performance.now();
  const caches = cachesFor(db);
  const size = maxUserPk(db) + 1;
  const total = segments.total(asOf);
  const { activationDays, regularWeeks, regularOf: weeks } = workshop.usage;
  // Weekly counts are needed for key actions only (regular, frequent); the other actions skip their memory.
  const stats = (name: string, windowDays: number, isKey: boolean): NameStats => {
    const w = isKey ? weeks : 0;
    return remember(caches.names, LIMITS.names, `${name}\u0000${asOf}\u0000${windowDays}\u0000${w}`, () => nameStats(db, name, asOf, windowDays, w, size));
  };
  let activity: Uint16Array | undefined;
  const activityOf = (): Uint16Array => (activity ??= remember(caches.activity, LIMITS.activity, `${asOf}\u0000${weeks}`, () => activeDays(db, asOf, weeks, size)));

  // Persona i is bit i of each user's mask (a workshop holds at most 20 personas).
  const masks = new Uint32Array(size);
  const memberLists: Int32Array[] = [];
  const personas: PersonaUsage[] = workshop.personas.map((persona, index) => {
    const keyAction = persona.actions[0] ?? null;
    const target = frequentTarget(persona.frequency, weeks);
    const { ids, key: membersKey, error } = membersOf(db, segments, caches, persona.rule, asOf);
    memberLists.push(ids);
    for (const id of ids) masks[id] = (masks[id] as number) | (1 << index);

    const actions: ActionFrequency[] = [...new Set(persona.actions)].map((event) => {
      const s = stats(event, persona.windowDays, event === keyAction);
      const rates: number[] = [];
      for (const id of ids) {
        const times = s.inWindow[id] as number;
        if (times > 0) rates.push(times / (s.weeksInWindow[id] as number));
      }
      return { event, medianPerActiveWeek: median(rates), users: rates.length };
    });

    let regular = 0;
    let frequent = 0;
    let histogramBins: HistogramBin[] = [];
    let activated = 0;
    if (keyAction !== null) {
      const s = stats(keyAction, persona.windowDays, true);
      for (const id of ids) {
        let activeWeeks = 0;
        let targetWeeks = 0;
        for (let k = 0; k < weeks; k++) {
          const times = s.perWeek[id * weeks + k] as number;
          if (times > 0) activeWeeks += 1;
          if (times >= target.perWeek) targetWeeks += 1;
        }
        if (activeWeeks >= regularWeeks) regular += 1;
        if (targetWeeks >= target.weeks) frequent += 1;
      }
      histogramBins = histogram(s.inWindow, total, persona.threshold);
      activated = remember(caches.counts, LIMITS.counts, `activated\u0000${membersKey}\u0000${keyAction}\u0000${activationDays}`, () =>
        activatedCount(db, ids, keyAction, activationDays, asOf),
      );
    }

    let medianActiveDaysPerWeek = 0;
    if (ids.length > 0) {
      const days = activityOf();
      medianActiveDaysPerWeek = median(Float64Array.from(ids, (id) => (days[id] as number) / weeks));
    }

    return {
      personaId: persona.id,
      name: persona.name,
      keyAction,
      threshold: persona.threshold,
      windowDays: persona.windowDays,
      error,
      users: ids.length,
      shareOfBase: ratio(ids.length, total),
      activated,
      activationRate: ratio(activated, ids.length),
      actions,
      regular,
      regularShare: ratio(regular, ids.length),
      medianActiveDaysPerWeek,
      casual: ids.length - frequent,
      frequent,
      frequentTarget: target,
      histogram: histogramBins,
    };
  });

  const overlap = memberLists.map((ids, i) =>
    memberLists.map((_, j) => {
      if (i === j) return ids.length;
      const bit = 1 << j;
      let both = 0;
      for (const id of ids) if (((masks[id] as number) & bit) !== 0) both += 1;
      return both;
    }),
  );
  let inAny = 0;
  for (const m of masks) if (m !== 0) inAny += 1;

  return {
    workshopId: workshop.id,
    asOf,
    total,
    personas,
    overlap,
    inNone: total - inAny,
    computeMs: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------------
// The threshold drag.

/** Users who pass the rule without its threshold condition, with their count of the key action as that condition counts it. */
function candidates(db: Db, segments: SegmentService, rest: Rule, keyAction: string, withinDays: number | null, asOf: number): Candidates {
  const compiled = segments.compile(rest, asOf);
  const ids = db.prepare<[Record<string, unknown>], number>(`SELECT user_pk FROM (${compiled.sql})`).pluck().all(compiled.params);
  const byUser = new Map<number, number>();
  const nameId = nameIdOf(db, keyAction);
  if (nameId >= 0) {
    // One grouped pass over the name's range (streamed in index order), joined to the candidates in JS.
    const rows = db
      .prepare<[Record<string, number>], [number, number]>(
        `SELECT e.user_pk, count(*) FROM events e WHERE e.name_id = @nameId AND e.ts > @from AND e.ts <= @asOf GROUP BY e.user_pk`,
      )
      .raw()
      .all({ nameId, asOf, from: withinDays === null ? -8.64e15 : asOf - withinDays * DAY_MS });
    for (const [user, count] of rows) byUser.set(user, count);
  }
  return { counts: Int32Array.from(ids, (id) => byUser.get(id) ?? 0) };
}

export function thresholdSize(
  db: Db,
  segments: SegmentService,
  workshop: Workshop,
  personaId: string,
  threshold: number,
  asOf: number,
): ThresholdSize {
  const started = performance.now();
  const caches = cachesFor(db);
  const persona = personaOf(workshop, personaId);
  const rule = segments.inline(withThreshold(persona, threshold).rule);
  const keyAction = persona.actions[0];
  const condition = keyAction !== undefined ? thresholdCondition(rule, keyAction) : undefined;
  const total = remember(caches.counts, LIMITS.counts, `total\u0000${asOf}`, () => segments.total(asOf));
  let count: number;
  if (rule.match === 'all' && condition && keyAction !== undefined && !(condition.where && condition.where.length > 0)) {
    // The rest of the rule does not depend on the threshold: its members and their counts are fetched
    // once per (rule without the condition, window, asOf, data), and each threshold is a pass over them.
    const rest: Rule = { ...rule, conditions: rule.conditions.filter((c) => c !== condition) };
    const withinDays = condition.within?.days ?? null;
    const key = JSON.stringify([rest, keyAction, withinDays, asOf]);
    const { counts } = remember(caches.candidates, LIMITS.candidates, key, () => candidates(db, segments, rest, keyAction, withinDays, asOf));
    count = 0;
    for (const c of counts) if (satisfies(condition.op, c, condition.count)) count += 1;
  } else {
    count = remember(caches.counts, LIMITS.counts, JSON.stringify([rule, asOf]), () => segments.count(rule, asOf));
  }
  return { personaId, threshold, count, total, computeMs: performance.now() - started };
}
