/**
 * The one small-sample rule for every rate or score the app shows (message results, segment Compare,
 * and later lift, CSAT and estimates from samples): below SMALL_SAMPLE observations a figure carries
 * a caution that says how wide its 95% interval can be.
 *
 * Why 100: the 95% interval of a rate measured on n users is at most ±1.96·√(0.25/n), that is ±98/√n
 * percentage points (the worst case, a rate near 50%). At n = 100 that is ±10 points, about as
 * coarse as a rate shown in whole percent is still worth reading; below it the interval widens fast
 * (±17 points at 33 users, ±35 at 8). An NPS answer scores −100, 0 or +100, so its standard
 * deviation is at most 100 and the score's interval is at most ±196/√n points (±20 at 100 answers,
 * ±69 at 8): the same n keeps it to a fifth of its range. One threshold for both keeps the rule
 * simple to state: "fewer than 100: read with care". docs/ARCHITECTURE.md ("Small samples") says so.
 */

export const SMALL_SAMPLE = 100;

/** What a figure is: a share of users (percentage points) or a score from −100 to 100 (NPS). */
export type FigureKind = 'rate' | 'score';

/** The largest 95% half-interval a figure of this kind can have on n observations, rounded up. */
export function worstHalfInterval(n: number, kind: FigureKind): number {
  if (n <= 0) return Infinity;
  const z = 1.96;
  const sd = kind === 'rate' ? 50 : 100;
  return Math.ceil((z * sd) / Math.sqrt(n));
}

export interface SampleCaution {
  n: number;
  /** ± this many points (percentage points for a rate, score points for an NPS), at most. */
  halfInterval: number;
  /** "Only 8 answers: this score could be off by up to ±70 points." */
  text: string;
}

/**
 * The caution for a figure measured on n observations (`unit` names them: "answers", "users"), or null
 * when n is large enough, or zero (a figure of nothing is shown as a dash, not cautioned).
 */
export function sampleCaution(n: number, kind: FigureKind, unit: string): SampleCaution | null {
  if (!Number.isFinite(n) || n <= 0 || n >= SMALL_SAMPLE) return null;
  const halfInterval = worstHalfInterval(n, kind);
  const what = kind === 'rate' ? 'this rate' : 'this score';
  const points = kind === 'rate' ? 'percentage points' : 'points';
  return { n, halfInterval, text: `Only ${n.toLocaleString('en-US')} ${unit}: ${what} could be off by up to ±${halfInterval} ${points} (95% interval). Read it with care.` };
}
