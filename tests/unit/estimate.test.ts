/** Issue 21, item 5: counts and shares from a sampled cache are scaled and carry a 95 % interval; exact ones carry none. */
import { describe, expect, it } from 'vitest';
import { countInterval, estimateCount, estimateShare, formatEstimate, isEstimated, sampleNote, wilsonInterval, Z95 } from '../../src/shared/estimate';

const grouped = (n: number): string => n.toLocaleString('en-US');

describe('estimates from a sample of users', () => {
  it('Wilson score intervals match the published values', () => {
    // Wilson (1927); e.g. Newcombe (1998), Table I: 81 of 263 → 0.2553–0.3662; 0 of 10 → 0–0.2775.
    const [lo, hi] = wilsonInterval(81, 263);
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
    const [zeroLo, zeroHi] = wilsonInterval(0, 10);
    expect(zeroLo).toBe(0);
    expect(zeroHi).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
  });

  it('a count interval holds the whole-data counts the sample count is within 1.96 standard deviations of', () => {
    const k = 1240;
    const p = 0.1;
    const [lo, hi] = countInterval(k, p);
    // At each end, k is z binomial standard deviations from N·p (up to the rounding outwards).
    const z = (n: number): number => Math.abs(k - n * p) / Math.sqrt(n * p * (1 - p));
    expect(z(lo)).toBeCloseTo(Z95, 2);
    expect(z(hi)).toBeCloseTo(Z95, 2);
    expect(lo).toBeLessThan(12_400);
    expect(hi).toBeGreaterThan(12_400);
    // Nobody in the sample: the count may be 0 but hardly more than 3.5 / p.
    expect(countInterval(0, 0.1)).toEqual([0, 35]);
  });

  it('scales a sampled count and gives its interval; an exact count carries none', () => {
    expect(estimateCount(1240, 10)).toEqual({ count: 12_400, ci95: countInterval(1240, 0.1), sampled: 0.1 });
    const exact = estimateCount(12_345, 100);
    expect(exact).toEqual({ count: 12_345 });
    expect(Object.keys(exact)).toEqual(['count']);
    expect(isEstimated(exact)).toBe(false);
    expect(isEstimated(estimateCount(3, 10))).toBe(true);
  });

  it('a share is the sample\'s own, with its Wilson interval only when sampled', () => {
    expect(estimateShare(81, 263, 10)).toEqual({ share: 81 / 263, ci95: wilsonInterval(81, 263), sampled: 0.1 });
    expect(estimateShare(81, 263, 100)).toEqual({ share: 81 / 263 });
    expect(estimateShare(0, 0, 10).share).toBe(0);
  });

  it('reads as "≈ 12,400 (lo–hi)" when estimated and as the plain number when exact', () => {
    const estimate = estimateCount(1240, 10);
    const [lo, hi] = estimate.ci95 as [number, number];
    expect(formatEstimate(estimate, grouped)).toBe(`≈ 12,400 (${grouped(lo)}–${grouped(hi)})`);
    expect(formatEstimate(estimateCount(12_400, 100), grouped)).toBe('12,400');
    expect(sampleNote(0.1)).toBe('estimated from a 10% sample of users');
    expect(sampleNote(0.025)).toBe('estimated from a 2.5% sample of users');
  });
});
