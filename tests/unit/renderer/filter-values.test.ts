import { describe, expect, it } from 'vitest';
import { readFilterValue, readList, readScalar, scalarKind, splitList, valueHint } from '../../../src/renderer/src/ui/filter-values';

describe('filter values as typed', () => {
  it('reads numbers written the canonical way and true/false in auto mode, everything as text in text mode', () => {
    expect(readScalar('6', 'auto')).toBe(6);
    expect(readScalar('-2.5', 'auto')).toBe(-2.5);
    expect(readScalar('06', 'auto')).toBe('06');
    expect(readScalar('1e3', 'auto')).toBe('1e3');
    expect(readScalar('true', 'auto')).toBe(true);
    expect(readScalar('false', 'auto')).toBe(false);
    expect(readScalar('6', 'text')).toBe('6');
    expect(readScalar('', 'auto')).toBe('');
  });

  it('splits lists on commas; quotes keep commas and make text', () => {
    expect(splitList('a, b,c')).toEqual([
      { text: 'a', quoted: false },
      { text: 'b', quoted: false },
      { text: 'c', quoted: false },
    ]);
    expect(splitList('"c, with comma", "say ""hi""", ')).toEqual([
      { text: 'c, with comma', quoted: true },
      { text: 'say "hi"', quoted: true },
    ]);
    expect(readList('1, "2", true', 'auto')).toEqual([1, '2', true]);
    expect(readList('1, 2', 'text')).toEqual(['1', '2']);
    expect(readList('', 'auto')).toEqual([]);
  });

  it('reads a filter by its operator: nothing for is set, a list for is one of, else one value', () => {
    expect(readFilterValue('exists', 'anything', 'auto')).toBeUndefined();
    expect(readFilterValue('in', 'team, 3', 'auto')).toEqual(['team', 3]);
    expect(readFilterValue('gte', '10', 'auto')).toBe(10);
    expect(readFilterValue('eq', '10', 'text')).toBe('10');
  });

  it('hints how many values a list holds, or what one value compares as', () => {
    expect(valueHint('in', 'a, b', 'auto')).toBe('2 values');
    expect(valueHint('in', 'a', 'auto')).toBe('1 value');
    expect(valueHint('in', '', 'auto')).toBeNull();
    expect(valueHint('eq', '', 'auto')).toBeNull();
    expect(valueHint('not_exists', 'x', 'auto')).toBeNull();
    expect(valueHint('eq', '12', 'auto')).toBe('number');
    expect(valueHint('eq', 'true', 'auto')).toBe('true/false');
    expect(valueHint('eq', '2026-05-01', 'auto')).toBe('date');
    expect(scalarKind('2026-02-30')).toBe('text');
    expect(valueHint('eq', 'team', 'auto')).toBe('text');
  });
});
