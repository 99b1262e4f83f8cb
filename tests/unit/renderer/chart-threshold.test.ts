/**
 * The threshold slider's geometry: category boundaries of a bar chart, and where a range input must sit
 * so its thumb lands on them, whatever the plotting area and the thumb's size.
 */
import { describe, expect, it } from 'vitest';
import { alignedRange, categoryBoundary } from '../../../src/renderer/src/lib/charts';

describe('categoryBoundary', () => {
  const area = { left: 50, right: 650, count: 12 }; // 50 px a category
  it('runs from the first bar’s left edge to the last bar’s right edge', () => {
    expect(categoryBoundary(area, 0)).toBe(50);
    expect(categoryBoundary(area, 1)).toBe(100);
    expect(categoryBoundary(area, 12)).toBe(650);
  });
  it('is the area’s left edge for a chart with no bars', () => {
    expect(categoryBoundary({ left: 40, right: 400, count: 0 }, 3)).toBe(40);
  });
});

describe('alignedRange', () => {
  /** Where the browser puts the thumb's centre for `value` in an input placed as alignedRange says. */
  function thumbCentre(placed: { left: number; width: number }, min: number, max: number, value: number, thumb: number): number {
    return placed.left + thumb / 2 + ((value - min) / (max - min)) * (placed.width - thumb);
  }

  it('puts every value’s thumb on the boundary before its bar', () => {
    const area = { left: 57.5, right: 1012.25, count: 11 };
    const placed = alignedRange(area, 1, 11, 1, 16);
    for (let v = 1; v <= 11; v++) expect(thumbCentre(placed, 1, 11, v, 16)).toBeCloseTo(categoryBoundary(area, v - 1), 6);
  });

  it('reaches left of the first bar for a threshold of 0, and holds for any thumb size', () => {
    const area = { left: 40, right: 440, count: 10 };
    const placed = alignedRange(area, 0, 10, 1, 20);
    expect(placed.left).toBe(40 - 40 - 10);
    for (const v of [0, 1, 5, 10]) expect(thumbCentre(placed, 0, 10, v, 20)).toBeCloseTo(categoryBoundary(area, v - 1), 6);
  });
});
