/**
 * What every results figure shares (NPS today, survey questions since issue 18): the cache's event
 * name ids, the weekly windows that end at asOf, and the split of answerers by saved segment and by
 * persona, membership as of asOf.
 */
import { ApiError } from '../../shared/errors';
import type { Rule } from '../../shared/segments/rule';
import { DAY_MS, npsCategory } from '../../shared/segments/values';
import type { MessageDeps } from './audience';

export const WEEK_MS = 7 * DAY_MS;
export const TREND_WEEKS = 12;

/**
 * Week k (0 = the latest) holds asOf − (k+1)·7 days < ts ≤ asOf − k·7 days: the segment model's
 * windows, so "the last 7 days" means the same thing everywhere. null: before the trend.
 */
export function weekIndex(asOf: number, ts: number): number | null {
  const week = Math.floor((asOf - ts) / WEEK_MS);
  return week >= 0 && week < TREND_WEEKS ? week : null;
}

/** The start of each of the trend's weeks, oldest first, with its per-week value. */
export function weeklyTrend<T>(asOf: number, perWeek: readonly T[], value: (items: T) => { answers: number; value: number | null }): { weekStart: number; answers: number; value: number | null }[] {
  return perWeek.map((items, k) => ({ weekStart: asOf - (k + 1) * WEEK_MS, ...value(items) })).reverse();
}

/** NPS = % promoters − % detractors, rounded to a whole number; null without answers. */
export function npsOf(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let promoters = 0;
  let detractors = 0;
  for (const s of scores) {
    const category = npsCategory(s);
    if (category === 'promoter') promoters += 1;
    else if (category === 'detractor') detractors += 1;
  }
  return Math.round((100 * (promoters - detractors)) / scores.length);
}

/** The ids of the event names in the cache; a name never seen is simply absent. */
export function nameIds(deps: MessageDeps, names: readonly string[]): Map<string, number> {
  const select = deps.db.prepare<[string], number>('SELECT name_id FROM event_names WHERE name = ? AND name_id <> 0').pluck();
  const ids = new Map<string, number>();
  for (const name of names) {
    const id = select.get(name);
    if (id !== undefined) ids.set(name, id);
  }
  return ids;
}

/**
 * Which of the answerers (or any other users: the lift's assigned users) belong to a rule's members, as
 * of asOf. Members come from the SQL compiler (SegmentService.memberIds); a persona linked to a saved
 * segment shares its rule, so results are kept per rule for the call. A rule that cannot be evaluated any
 * more (it refers to a deleted segment) has no members here rather than failing the whole results screen.
 */
export function membership(deps: MessageDeps, answerers: ReadonlySet<string>): (rule: Rule) => Set<string> {
  return memoByRule((rule) => {
    const members = new Set<string>();
    let ids: string[] = [];
    try {
      ids = deps.segments.memberIds(rule, deps.asOf);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'invalid_argument')) throw err;
    }
    for (const id of ids) if (answerers.has(id)) members.add(id);
    return members;
  });
}

/** Computes a rule's members once per distinct rule for the call (a persona linked to a segment shares its rule). */
export function memoByRule(compute: (rule: Rule) => Set<string>): (rule: Rule) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (rule) => {
    const key = JSON.stringify(rule);
    let members = cache.get(key);
    if (!members) cache.set(key, (members = compute(rule)));
    return members;
  };
}

/** Every persona of every workshop that is not archived, labelled by its name (with the workshop's title when names repeat). */
export function personasOf(deps: Pick<MessageDeps, 'workshops'>): { label: string; rule: Rule }[] {
  const personas: { name: string; workshop: string; rule: Rule }[] = [];
  for (const summary of deps.workshops.list(false)) {
    const workshop = deps.workshops.get(summary.id);
    for (const p of workshop.personas) personas.push({ name: p.name, workshop: workshop.title, rule: p.rule });
  }
  const counts = new Map<string, number>();
  for (const p of personas) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  return personas.map((p) => ({ label: (counts.get(p.name) ?? 0) > 1 ? `${p.name} (${p.workshop})` : p.name, rule: p.rule }));
}

/** A saved segment or a persona, with those of the answerers who are in it as of asOf. */
export interface ResultGroup {
  label: string;
  members: ReadonlySet<string>;
}

export interface ResultGroups {
  segments: ResultGroup[];
  personas: ResultGroup[];
  /** The answerers in any rule (the message's target, say), as of asOf. */
  membersOf(rule: Rule): ReadonlySet<string>;
  /** The labels of the personas a user belongs to, in the personas' order. */
  personasOfUser(userId: string): string[];
}

/** The answerers split by every saved segment and every persona of the workshops in use. */
export function resultGroups(deps: MessageDeps, answerers: ReadonlySet<string>): ResultGroups {
  const membersOf = membership(deps, answerers);
  const segments = deps.segments.list().map((s) => ({ label: s.name, members: membersOf(s.rule) }));
  const personas = personasOf(deps).map((p) => ({ label: p.label, members: membersOf(p.rule) }));
  return {
    segments,
    personas,
    membersOf,
    personasOfUser: (userId) => personas.filter((p) => p.members.has(userId)).map((p) => p.label),
  };
}
