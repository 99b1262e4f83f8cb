/**
 * The lift of a message over its holdout group (issue 19): each group's conversion rate, the absolute
 * difference with a 95% confidence interval by Newcombe's hybrid score method (his method 10: a Wilson
 * score interval per group, combined), the relative difference as a point figure, and the users per
 * group a 2-point difference needs. Pure arithmetic: the counting is src/main/messages/lift.ts.
 *
 * Reference: R. G. Newcombe, "Interval estimation for the difference between independent proportions:
 * comparison of eleven methods", Statistics in Medicine 17 (1998) 873-890; its worked examples (Table II)
 * are checked in tests/unit/lift-stats.test.ts.
 */

/** The standard normal quantile for a two-sided 95% interval (and for α = 0.05 two-sided). */
export const Z_95 = 1.959963984540054;
/** The standard normal quantile for a power of 0.8 (one-sided 20% β). */
export const Z_POWER_80 = 0.8416212335729143;
/** The difference "not enough users yet" is sized for: 2 percentage points. */
export const DEFAULT_DETECTABLE_DIFFERENCE = 0.02;

export interface GroupCounts {
  users: number;
  converted: number;
}

/** A group's counts and rate (converted / users; null for an empty group). */
export interface GroupRate extends GroupCounts {
  rate: number | null;
}

export function groupRate(counts: GroupCounts): GroupRate {
  return { ...counts, rate: counts.users === 0 ? null : counts.converted / counts.users };
}

function checkCounts({ users, converted }: GroupCounts): void {
  if (!Number.isInteger(users) || !Number.isInteger(converted) || users < 0 || converted < 0 || converted > users) {
    throw new RangeError(`counts must be whole numbers with 0 ≤ converted ≤ users (got ${converted} of ${users})`);
  }
}

/**
 * Wilson's score interval for a proportion converted / users (Wilson 1927): the roots in p of
 * |p̂ − p| = z·√(p(1−p)/n). Unlike p̂ ± z·SE it stays inside [0, 1] and is not empty at 0 or n.
 */
export function wilsonInterval(converted: number, users: number, z = Z_95): [number, number] {
  checkCounts({ users, converted });
  if (users === 0) return [0, 1];
  const p = converted / users;
  const z2 = z * z;
  const centre = 2 * users * p + z2;
  const spread = z * Math.sqrt(z2 + 4 * users * p * (1 - p));
  const denominator = 2 * (users + z2);
  // At 0 and n the exact bound is 0 or 1; the formula gives it up to rounding.
  const lower = converted === 0 ? 0 : (centre - spread) / denominator;
  const upper = converted === users ? 1 : (centre + spread) / denominator;
  return [lower, upper];
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ (his method 10): with Wilson intervals [l₁, u₁] and
 * [l₂, u₂], δ̂ − √((p̂₁ − l₁)² + (u₂ − p̂₂)²) to δ̂ + √((u₁ − p̂₁)² + (p̂₂ − l₂)²). Null when a group is empty.
 */
export function newcombeInterval(first: GroupCounts, second: GroupCounts, z = Z_95): [number, number] | null {
  checkCounts(first);
  checkCounts(second);
  if (first.users === 0 || second.users === 0) return null;
  const p1 = first.converted / first.users;
  const p2 = second.converted / second.users;
  const [l1, u1] = wilsonInterval(first.converted, first.users, z);
  const [l2, u2] = wilsonInterval(second.converted, second.users, z);
  const difference = p1 - p2;
  return [difference - Math.hypot(p1 - l1, u2 - p2), difference + Math.hypot(u1 - p1, p2 - l2)];
}

/** Exposed against holdout: absolute difference of rates with its 95% interval, relative difference as a point. */
export interface Lift {
  /** rate(exposed) − rate(holdout), as a fraction (0.021 is 2.1 points); null when a group is empty. */
  absolute: number | null;
  /**
   * absolute / rate(holdout): a point figure only (no interval); null when the holdout has no
   * conversions (no baseline to divide by) or a group is empty.
   */
  relative: number | null;
  /** Newcombe's hybrid score interval for `absolute`; null when a group is empty. */
  ci95: [number, number] | null;
}

export function liftOf(exposed: GroupCounts, holdout: GroupCounts): Lift {
  const ci95 = newcombeInterval(exposed, holdout);
  if (ci95 === null) return { absolute: null, relative: null, ci95: null };
  const pe = exposed.converted / exposed.users;
  const ph = holdout.converted / holdout.users;
  const absolute = pe - ph;
  return { absolute, relative: holdout.converted === 0 ? null : absolute / ph, ci95 };
}

/**
 * Users needed in each of two equal groups to detect a difference of `difference` from a baseline
 * rate, two-sided α = 0.05 and power 0.8, by the normal approximation without continuity correction
 * (Fleiss, Levin and Paik, "Statistical Methods for Rates and Proportions", 3rd ed., eq. 4.14):
 * n = (z_α/2·√(2·p̄·q̄) + z_β·√(p₁q₁ + p₂q₂))² / δ², p̄ the mean of the two rates. The second rate is the
 * baseline plus the difference, or minus it when that would pass 1. Rounded up.
 */
export function sampleSizePerGroup(baseline: number, difference = DEFAULT_DETECTABLE_DIFFERENCE): number {
  if (!(baseline >= 0 && baseline <= 1)) throw new RangeError(`the baseline rate must be 0 to 1 (got ${baseline})`);
  if (!(difference > 0 && difference < 1)) throw new RangeError(`the difference must be between 0 and 1 (got ${difference})`);
  const p1 = baseline;
  const p2 = baseline + difference <= 1 ? baseline + difference : baseline - difference;
  const mean = (p1 + p2) / 2;
  const root = Z_95 * Math.sqrt(2 * mean * (1 - mean)) + Z_POWER_80 * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  // A tiny epsilon keeps an exact whole number (from rounding noise just above it) from gaining one.
  return Math.ceil((root * root) / (difference * difference) - 1e-9);
}
