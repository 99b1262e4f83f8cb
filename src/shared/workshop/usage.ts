/**
 * Step 3's figures: the personas' hypotheses run against the cache as of the workshop's asOf.
 * Computed by src/main/workshops/usage.ts; shown by the Usage worksheet; printed by the exports.
 */

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

export interface PersonaUsage {
  personaId: string;
  name: string;
  /** The key action (the first of the persona's actions), or null when none is mapped yet. */
  keyAction: string | null;
  threshold: number;
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
}
