/**
 * Step 3's figures: the personas' hypotheses run against the cache as of the workshop's asOf.
 * Computed by src/main/workshops/usage.ts; shown by the Usage worksheet; printed by the exports.
 *
 * Definitions (every window ends at asOf and includes it, like the segment engine's "within N days"):
 * - Week k (k = 0 the latest) is the 7-day window (asOf − (k+1)·7 days, asOf − k·7 days]; "the last n weeks" are
 *   k = 0 … n−1, with n = the workshop's `usage.regularOf`.
 * - Members: the users the persona's rule (segments inlined) selects as of asOf, exactly as the segment engine counts them.
 * - Activated: members whose first key action came less than `activationDays` days after their first record (first seen).
 * - Regular: members with the key action in at least k (`usage.regularWeeks`) of the last n weeks.
 * - Frequent: members who reached the persona's expected weekly rate of key actions in enough of the last n weeks
 *   (see frequentTarget); casual: the other members. A persona with no key action has no frequent members.
 * - Engagement: per member, the days with any event in the last n weeks divided by n; the median over members.
 * - Action frequency: among members who did the action in the persona's window, the median of
 *   (times in the window ÷ weeks of the window in which they did it at least once).
 */
import type { Frequency } from './model';

export interface HistogramBin {
  /** Key-action count in the persona's window (the last bin holds `from` and above). */
  from: number;
  /** Exclusive upper end; null for the open last bin. */
  to: number | null;
  users: number;
}

export interface ActionFrequency {
  event: string;
  /** Among members who did it: the median number of times per week they were active. */
  medianPerActiveWeek: number;
  /** Members who did it at least once in the window. */
  users: number;
}

/** What makes a member "frequent": at least `perWeek` key actions in a week, in at least `weeks` of the last `of` weeks. */
export interface FrequentTarget {
  perWeek: number;
  weeks: number;
  of: number;
}

/**
 * The expected rate per persona frequency, over the last n weeks:
 * - day: at least 5 key actions a week (a working week of daily use) in most weeks (more than half);
 * - week: at least once a week in most weeks;
 * - month: at least once in every four weeks, i.e. in ⌈n/4⌉ of the n weeks.
 */
export function frequentTarget(frequency: Frequency, weeks: number): FrequentTarget {
  const most = Math.floor(weeks / 2) + 1;
  switch (frequency) {
    case 'day':
      return { perWeek: 5, weeks: most, of: weeks };
    case 'week':
      return { perWeek: 1, weeks: most, of: weeks };
    case 'month':
    default:
      return { perWeek: 1, weeks: Math.max(1, Math.ceil(weeks / 4)), of: weeks };
  }
}

export interface PersonaUsage {
  personaId: string;
  name: string;
  /** The key action (the first of the persona's actions), or null when none is mapped yet. */
  keyAction: string | null;
  threshold: number;
  /** The persona's window (days): the histogram and the action frequencies count within it. */
  windowDays: number;
  /** Why the persona's rule could not be evaluated (e.g. a referenced segment was deleted); its figures are then 0. */
  error: string | null;
  /** Members of the persona's rule. */
  users: number;
  /** users / install base (0..1). */
  shareOfBase: number;
  /** Members who did the key action within `activationDays` of first seen. */
  activated: number;
  activationRate: number;
  /** Per action: how often members do it. */
  actions: ActionFrequency[];
  /** Members active (key action) in at least k of the last n weeks. */
  regular: number;
  regularShare: number;
  /** Median active days per week among members over the last n weeks (engagement frequency). */
  medianActiveDaysPerWeek: number;
  /** Members below / at or above the frequency the persona is expected to reach. */
  casual: number;
  frequent: number;
  /** The rule that splits frequent from casual for this persona. */
  frequentTarget: FrequentTarget;
  /** Key-action counts per user in the window, over the whole install base, for the threshold. */
  histogram: HistogramBin[];
}

export interface WorkshopUsage {
  workshopId: string;
  asOf: number;
  /** The install base: users with a record at or before asOf. */
  total: number;
  personas: PersonaUsage[];
  /** overlap[i][j]: users in both persona i and persona j (the diagonal is each persona's size). */
  overlap: number[][];
  /** Users of the install base in no persona. */
  inNone: number;
  /** How long the computation took (ms), for the status line and the benchmark. */
  computeMs: number;
}

export interface ThresholdSize {
  personaId: string;
  threshold: number;
  count: number;
  total: number;
  /** How long the answer took (ms); a drag's repeated answers come from memory. */
  computeMs: number;
}

/** Unit bins 0, 1, … up to a cap, then one open bin: the cap follows the data, and the threshold stays on its own bin. */
export function histogramCap(p99: number, threshold: number): number {
  let cap = Math.min(Math.max(p99 + 1, 10), 60);
  if (threshold >= cap) cap = Math.min(threshold + 1, 200);
  return cap;
}
