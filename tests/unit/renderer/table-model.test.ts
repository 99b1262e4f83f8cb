import { describe, expect, it } from 'vitest';
import { compareSortValues, nextSort, pageRange, pageSlice, sortRows } from '../../../src/renderer/src/ui/table-model';

describe('DataTable sorting', () => {
  const rows = [
    { name: 'report_run', count: 30 },
    { name: 'Invite_sent', count: 5 },
    { name: 'project_created', count: 30 },
    { name: 'export_csv', count: 12 },
  ];

  it('sorts text by locale and numbers by size, either way', () => {
    expect(sortRows(rows, (r) => r.name, 'ascending').map((r) => r.name)).toEqual(['export_csv', 'Invite_sent', 'project_created', 'report_run']);
    expect(sortRows(rows, (r) => r.count, 'descending').map((r) => r.count)).toEqual([30, 30, 12, 5]);
    expect(compareSortValues(2, 10)).toBeLessThan(0);
    expect(compareSortValues('2', '10')).toBeGreaterThan(0);
  });

  it('keeps equal rows in the order they came, and leaves the input alone', () => {
    const sorted = sortRows(rows, (r) => r.count, 'descending');
    expect(sorted.slice(0, 2).map((r) => r.name)).toEqual(['report_run', 'project_created']);
    expect(rows[0]?.name).toBe('report_run');
    expect(sorted).not.toBe(rows);
  });

  it('a click on the sorted column turns it around; another column starts in its own first direction', () => {
    expect(nextSort(null, 'name', 'ascending')).toEqual({ column: 'name', direction: 'ascending' });
    expect(nextSort({ column: 'name', direction: 'ascending' }, 'name', 'ascending')).toEqual({ column: 'name', direction: 'descending' });
    expect(nextSort({ column: 'name', direction: 'descending' }, 'name', 'ascending')).toEqual({ column: 'name', direction: 'ascending' });
    expect(nextSort({ column: 'name', direction: 'ascending' }, 'count', 'descending')).toEqual({ column: 'count', direction: 'descending' });
  });
});

describe('DataTable paging', () => {
  it('says which rows a page shows and whether it has neighbours', () => {
    expect(pageRange(0, 50, 2000)).toEqual({ first: 1, last: 50, hasPrevious: false, hasNext: true });
    expect(pageRange(1, 50, 2000)).toEqual({ first: 51, last: 100, hasPrevious: true, hasNext: true });
    expect(pageRange(39, 50, 2000)).toEqual({ first: 1951, last: 2000, hasPrevious: true, hasNext: false });
    expect(pageRange(0, 50, 7)).toEqual({ first: 1, last: 7, hasPrevious: false, hasNext: false });
    expect(pageRange(0, 50, 0)).toEqual({ first: 0, last: 0, hasPrevious: false, hasNext: false });
  });

  it('cuts a page out of all the rows', () => {
    const all = Array.from({ length: 7 }, (_, i) => i);
    expect(pageSlice(all, 0, 3)).toEqual([0, 1, 2]);
    expect(pageSlice(all, 2, 3)).toEqual([6]);
    expect(pageSlice(all, 3, 3)).toEqual([]);
  });
});
