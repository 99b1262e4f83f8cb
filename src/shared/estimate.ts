/**
 * Figures from a sampled cache (docs/SEGMENTS.md, "Estimates from a sample of users"). A cache that holds
 * a p-sample of users (docs/IMPORT.md, "A sample of users") counts k users where the whole data would
 * count N: each user is in the sample independently of the others with probability p (their id's hash
 * decides), so k ~ Binomial(N, p). A count is shown scaled, k / p, with its 95 % interval; a share of
 * users (k of n, both from the sample) with its Wilson score interval. Exact figures (a cache of every
 * user) carry no interval and no `sampled`, so nothing exact reads as estimated, nor the reverse.
 */

/** The normal quantile of a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/** A count of users: exact (`count` alone), or estimated from a sample (all three). */
export interface Estimate {
  /** The figure: exact, or the sample's count scaled by 1 / sampled, rounded. */
  count: number;
  /** The 95 % interval of the whole data's count; only for an estimate. */
  ci95?: [number, number];
  /** The share of users the figure was computed from (0.1 for a 10 % sample); only for an estimate. */
  sampled?: number;
}

/** A share of users (0 to 1): exact, or estimated from a sample with its Wilson interval. */
export interface ShareEstimate {
  share: number;
  ci95?: [number, number];
  sampled?: number;
}

/** Whether a figure is an estimate (it then has its interval and sampling fraction). */
export function isEstimated(figure: Estimate | ShareEstimate): figure is (Estimate | ShareEstimate) & { ci95: [number, number]; sampled: number } {
  return figure.ci95 !== undefined && figure.sampled !== undefined;
}

/**
 * The Wilson score interval of a proportion: `successes` of `trials`, at the normal quantile z. The
 * proportions whose score test does not reject the observed one; stays inside [0, 1] and is honest
 * near 0 and 1, where the normal approximation's interval is not.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): [number, number] {
  if (trials <= 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  const scale = 1 + z2 / trials;
  // All or none of the trials: that end is exactly 1 or 0 (the formula leaves a rounding error there).
  return [successes <= 0 ? 0 : Math.max(0, (centre - spread) / scale), successes >= trials ? 1 : Math.min(1, (centre + spread) / scale)];
}

/**
 * The 95 % interval of a whole-data count N from a sample count k ~ Binomial(N, p): the score interval
 * solved for N, (k + z²q/2 ± z·√(kq + z²q²/4)) / p with q = 1 − p. It is Wilson's construction for
 * a count, scaled by 1 / p; the lower end is never below k (those users exist).
 */
export function countInterval(sampleCount: number, fraction: number, z = Z95): [number, number] {
  const q = 1 - fraction;
  const z2 = z * z;
  const centre = sampleCount + (z2 * q) / 2;
  const spread = z * Math.sqrt(sampleCount * q + (z2 * q * q) / 4);
  return [Math.max(sampleCount, Math.floor((centre - spread) / fraction)), Math.ceil((centre + spread) / fraction)];
}

/** A count of users computed from a cache holding `samplePercent` % of them: exact at 100 %. */
export function estimateCount(sampleCount: number, samplePercent: number): Estimate {
  if (samplePercent >= 100) return { count: sampleCount };
  const fraction = samplePercent / 100;
  return { count: Math.round(sampleCount / fraction), ci95: countInterval(sampleCount, fraction), sampled: fraction };
}

/** A share of users, `part` of `whole`, both counted in a cache holding `samplePercent` % of them. */
export function estimateShare(part: number, whole: number, samplePercent: number): ShareEstimate {
  const share = whole > 0 ? part / whole : 0;
  if (samplePercent >= 100) return { share };
  return { share, ci95: wilsonInterval(part, whole), sampled: samplePercent / 100 };
}

/** "estimated from a 10% sample of users": the note beside every estimate, in the UI, the CLI and exports. */
export function sampleNote(sampled: number): string {
  return `estimated from a ${Number((sampled * 100).toFixed(2))}% sample of users`;
}

/**
 * A count as people read it: "12,400" when exact, "≈ 12,400 (12,020–12,780)" when estimated. `format`
 * writes one number (the caller's locale and grouping).
 */
export function formatEstimate(figure: Estimate, format: (n: number) => string): string {
  if (!isEstimated(figure)) return format(figure.count);
  return `≈ ${format(figure.count)} (${format(figure.ci95[0])}–${format(figure.ci95[1])})`;
}
