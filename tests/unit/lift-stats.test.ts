/**
 * The lift arithmetic (src/shared/stats/lift.ts) against published worked values, not against itself:
 * Newcombe (1998) Table II, method 10, for the hybrid score interval; Wilson intervals hand-computed;
 * the per-group sample size hand-computed from Fleiss, Levin and Paik's formula.
 */
import { describe, expect, it } from 'vitest';
import { groupRate, liftOf, newcombeInterval, sampleSizePerGroup, wilsonInterval } from '../../src/shared/stats/lift';

const g = (converted: number, users: number) => ({ converted, users });

describe('Newcombe’s hybrid score interval', () => {
  // R. G. Newcombe, Statistics in Medicine 17 (1998) 873-890, Table II, method 10 (to 4 decimals):
  // https://www.researchgate.net/publication/13687790 — eight examples, among them 0 conversions on
  // one or both sides, all-converted groups and groups of 7 and 10.
  const TABLE_II: [number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ];

  it.each(TABLE_II)('%i/%i − %i/%i: %f to %f', (x1, n1, x2, n2, lower, upper) => {
    const interval = newcombeInterval(g(x1, n1), g(x2, n2));
    expect(interval?.[0]).toBeCloseTo(lower, 4);
    expect(interval?.[1]).toBeCloseTo(upper, 4);
  });

  it('has no interval when a group is empty, and refuses counts that cannot be', () => {
    expect(newcombeInterval(g(0, 0), g(3, 10))).toBeNull();
    expect(() => newcombeInterval(g(11, 10), g(3, 10))).toThrow(/0 ≤ converted ≤ users/);
    expect(() => newcombeInterval(g(1.5, 10), g(3, 10))).toThrow(RangeError);
  });
});

describe('Wilson’s score interval', () => {
  it('matches hand-computed bounds, and reaches 0 and 1 exactly at the ends', () => {
    // z = 1.96, 1 of 11: (2·1 + 3.8416 ∓ 1.96·√(3.8416 + 4·(10/11))) / (2·(11 + 3.8416)).
    const [lo, hi] = wilsonInterval(1, 11, 1.96);
    expect(lo).toBeCloseTo(0.016231752262825982, 12);
    expect(hi).toBeCloseTo(0.3773646254862038, 12);
    expect(wilsonInterval(10, 100, 1.96)[0]).toBeCloseTo(0.05522854161313612, 12);
    expect(wilsonInterval(0, 10)).toEqual([0, expect.closeTo(0.2775, 4)]);
    expect(wilsonInterval(10, 10)).toEqual([expect.closeTo(0.7225, 4), 1]);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});

describe('liftOf', () => {
  it('gives the absolute lift with its interval and the relative lift as a point', () => {
    const lift = liftOf(g(56, 70), g(48, 80));
    expect(lift.absolute).toBeCloseTo(0.2, 12);
    expect(lift.relative).toBeCloseTo(0.2 / 0.6, 12);
    expect(lift.ci95?.[0]).toBeCloseTo(0.0524, 4);
    expect(lift.ci95?.[1]).toBeCloseTo(0.3339, 4);
    expect(groupRate(g(48, 80))).toEqual({ converted: 48, users: 80, rate: 0.6 });
  });

  it('has no relative lift at 0 conversions in the holdout, and nothing at all for an empty group', () => {
    const none = liftOf(g(5, 56), g(0, 29));
    expect(none.absolute).toBeCloseTo(5 / 56, 12);
    expect(none.relative).toBeNull();
    expect(none.ci95?.[0]).toBeCloseTo(-0.0381, 4);
    expect(liftOf(g(0, 10), g(0, 10))).toMatchObject({ absolute: 0, relative: null });
    expect(liftOf(g(3, 10), g(0, 0))).toEqual({ absolute: null, relative: null, ci95: null });
    expect(groupRate(g(0, 0)).rate).toBeNull();
  });
});

describe('users per group for a 2-point difference (α = 0.05 two-sided, power 0.8)', () => {
  it('matches hand-computed values', () => {
    // 10% vs 12%: p̄ = 0.11; (1.95996·√(2·0.11·0.89) + 0.84162·√(0.09 + 0.1056))² / 0.02² = 3840.8 → 3841.
    expect(sampleSizePerGroup(0.1)).toBe(3841);
    // 0% vs 2% (a holdout with no conversions yet): (1.95996·√0.0198 + 0.84162·√0.0196)² / 0.0004 = 387.3 → 388.
    expect(sampleSizePerGroup(0)).toBe(388);
    // 99% has no room above: 99% vs 97% is the mirror of 1% vs 3%.
    expect(sampleSizePerGroup(0.99)).toBe(sampleSizePerGroup(0.01));
    expect(sampleSizePerGroup(0.1, 0.05)).toBeLessThan(sampleSizePerGroup(0.1));
    expect(() => sampleSizePerGroup(1.2)).toThrow(/baseline rate/);
  });
});
