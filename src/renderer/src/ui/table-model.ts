/**
 * DataTable's arithmetic, kept apart from React so it is unit-tested: the order of a sorted column,
 * what a click on a header does to the sort, and which rows a page holds. Pure: no DOM.
 */

export type SortDirection = 'ascending' | 'descending';

/** A sortable column's value for a row: text sorts by locale, numbers (and instants) by size. */
export type SortValue = string | number;

export interface SortState {
  /** The column's id. */
  column: string;
  direction: SortDirection;
}

export function compareSortValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** A sorted copy; rows that compare equal keep their order. */
export function sortRows<Row>(rows: readonly Row[], value: (row: Row) => SortValue, direction: SortDirection): Row[] {
  const sign = direction === 'descending' ? -1 : 1;
  return [...rows].sort((x, y) => compareSortValues(value(x), value(y)) * sign);
}

/**
 * The sort after a click on a column's header: the same column turns around; another one starts in its
 * own first direction (names A to Z, counts and dates largest and newest first).
 */
export function nextSort(current: SortState | null, column: string, firstDirection: SortDirection): SortState {
  if (current?.column === column) return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { column, direction: firstDirection };
}

export interface PageRange {
  /** 1-based numbers of the page's first and last row; 0 and 0 when there is none. */
  first: number;
  last: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

/** Which rows of `total` page `pageIndex` (from 0) shows, and whether there are pages either side. */
export function pageRange(pageIndex: number, pageSize: number, total: number): PageRange {
  const last = Math.min(total, (pageIndex + 1) * pageSize);
  return {
    first: total === 0 ? 0 : pageIndex * pageSize + 1,
    last,
    hasPrevious: pageIndex > 0,
    hasNext: last < total,
  };
}

/** The rows of one page, for a table that holds all of them. */
export function pageSlice<Row>(rows: readonly Row[], pageIndex: number, pageSize: number): Row[] {
  return rows.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
}
