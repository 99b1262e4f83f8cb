import { Fragment, useMemo, useState, type HTMLAttributes, type KeyboardEvent, type ReactNode, type Ref, type TdHTMLAttributes } from 'react';
import { formatNumber } from '../lib/format';
import './kit.css';
import { nextSort, pageRange, pageSlice, sortRows, type SortDirection, type SortState, type SortValue } from './table-model';

type DataAttributes = { 'data-testid'?: string };

export interface Column<Row> {
  /** Unique in the table: the React key, and the sort's column. */
  id: string;
  header: ReactNode;
  cell(row: Row, index: number): ReactNode;
  /** Figures: right-aligned ('num') in the header and the cells. */
  numeric?: boolean;
  /** More classes of the cells ('wrap', 'truncate') and of the header ('narrow-col'). */
  className?: string;
  headerClassName?: string;
  /** A cell's attributes beyond its content (a title, a test id); a className here replaces the column's. */
  cellProps?(row: Row): TdHTMLAttributes<HTMLTableCellElement> & DataAttributes;
  /** The cell names its row (`<th scope="row">`), as a field name does in a comparison. */
  rowHeader?: boolean;
  /** Makes the column sortable from its header, by this value (with `serverSort`, any function: the backend sorts). */
  sortValue?(row: Row): SortValue;
  /** The direction of a first click on the header: 'descending' for counts and dates. Default 'ascending'. */
  firstSort?: SortDirection;
  /** Drawn for the eye only (a bar beside the figures): its header and cells are hidden from screen readers. */
  decorative?: boolean;
}

/** A row drawn under a row, across every column: an expanded detail, a confirmation. */
export interface DetailRow {
  className: string;
  id?: string;
  content: ReactNode;
}

export type RowProps = HTMLAttributes<HTMLTableRowElement> & DataAttributes;

export interface Paging {
  pageIndex: number;
  pageSize: number;
  onPage(pageIndex: number): void;
  /** How many rows there are in all, when `rows` is one page the backend sent; without it the table pages `rows` itself. */
  total?: number;
  /** Disables the buttons while a page is on its way. */
  busy?: boolean;
}

interface DataTableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey(row: Row, index: number): string | number;
  /** Classes besides `data-table`. */
  className?: string;
  testId?: string;
  /** Said to screen readers only. */
  caption?: string;
  /** The first sort, before any header is clicked; rows otherwise keep the order they come in. */
  initialSort?: SortState;
  /**
   * A sort the backend does (rows are one page of a longer list): the headers show `sort` and hand a click to
   * `onSort`, and the table leaves the rows in the order they come.
   */
  serverSort?: { sort: SortState; onSort(next: SortState): void };
  /** A last column of row buttons under a header only screen readers hear ("Actions", or "Remove"). */
  actions?: { header?: string; cell(row: Row): ReactNode };
  /** A row's own attributes (a class, a test id, openableRow's handlers). */
  rowProps?(row: Row, index: number): RowProps;
  detail?(row: Row): DetailRow | null;
  /** A muted row across the table when there are no rows (a filter that matched nothing); leave it out while loading. */
  emptyRow?: ReactNode;
  /** Drawn instead of the table when there are no rows: an EmptyState, or a short inline note. */
  empty?: ReactNode;
  /** The classes of the box the table scrolls in ('table-scroll tall'), or false for none. Default 'table-scroll'. */
  scroll?: string | false;
  scrollRef?: Ref<HTMLDivElement>;
  bodyRef?: Ref<HTMLTableSectionElement>;
  /** Previous and Next under the table, with "1–50 of 2,000". */
  paging?: Paging;
}

const classes = (...names: (string | false | undefined)[]): string | undefined => names.filter(Boolean).join(' ') || undefined;

/**
 * The app's table: columns with their cells, sortable headers (aria-sort, a button per header), a
 * column of row buttons, detail rows, paging, and an empty state. Cells render whatever the screen
 * needs; the table only lays them out.
 */
export function DataTable<Row>(props: DataTableProps<Row>) {
  const { columns, rows, rowKey, className, testId, caption, actions, rowProps, detail, emptyRow, empty, scroll = 'table-scroll', scrollRef, bodyRef, paging, serverSort } = props;
  const [localSort, setLocalSort] = useState<SortState | null>(props.initialSort ?? null);
  const sort = serverSort ? serverSort.sort : localSort;
  const setSort = serverSort ? serverSort.onSort : setLocalSort;

  const sorted = useMemo(() => {
    const by = localSort && !serverSort ? columns.find((c) => c.id === localSort.column)?.sortValue : undefined;
    return localSort && by ? sortRows(rows, by, localSort.direction) : rows;
  }, [rows, columns, localSort, serverSort]);
  const shown = paging && paging.total === undefined ? pageSlice(sorted, paging.pageIndex, paging.pageSize) : sorted;

  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;

  const width = columns.length + (actions ? 1 : 0);
  const header = (c: Column<Row>) => {
    const thClass = classes(c.numeric && 'num', c.headerClassName);
    if (!c.sortValue) {
      return (
        <th key={c.id} scope="col" className={thClass} aria-hidden={c.decorative || undefined}>
          {c.header}
        </th>
      );
    }
    const direction = sort?.column === c.id ? sort.direction : null;
    return (
      <th key={c.id} scope="col" className={thClass} aria-sort={direction ?? 'none'}>
        <button type="button" className="sort" onClick={() => setSort(nextSort(sort, c.id, c.firstSort ?? 'ascending'))}>
          {c.header}
          {direction === 'descending' ? ' ↓' : direction === 'ascending' ? ' ↑' : ''}
        </button>
      </th>
    );
  };
  const cell = (c: Column<Row>, row: Row, index: number) => {
    const Cell = c.rowHeader ? 'th' : 'td';
    return (
      <Cell
        key={c.id}
        scope={c.rowHeader ? 'row' : undefined}
        className={classes(c.numeric && 'num', c.className)}
        aria-hidden={c.decorative || undefined}
        {...c.cellProps?.(row)}
      >
        {c.cell(row, index)}
      </Cell>
    );
  };

  const table = (
    <table className={classes('data-table', className)} data-testid={testId}>
      {caption ? <caption className="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map(header)}
          {actions ? (
            <th scope="col" className="row-actions-head">
              <span className="visually-hidden">{actions.header ?? 'Actions'}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody ref={bodyRef}>
        {shown.map((row, index) => {
          const more = detail?.(row);
          return (
            <Fragment key={rowKey(row, index)}>
              <tr {...rowProps?.(row, index)}>
                {columns.map((c) => cell(c, row, index))}
                {actions ? <td className="row-actions">{actions.cell(row)}</td> : null}
              </tr>
              {more ? (
                <tr className={more.className} id={more.id}>
                  <td colSpan={width}>{more.content}</td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
        {rows.length === 0 && emptyRow !== undefined ? (
          <tr>
            <td colSpan={width} className="muted empty-row">
              {emptyRow}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );

  return (
    <>
      {scroll !== false ? (
        // Focusable, so a keyboard can scroll a table wider or taller than its card (axe: scrollable-region-focusable).
        <div ref={scrollRef} className={scroll} tabIndex={0}>
          {table}
        </div>
      ) : (
        table
      )}
      {paging ? <Pager {...paging} total={paging.total ?? rows.length} /> : null}
    </>
  );
}

/** Previous and Next, with which rows of how many the page shows. */
export function Pager({ pageIndex, pageSize, total, onPage, busy = false }: Paging & { total: number }) {
  const range = pageRange(pageIndex, pageSize, total);
  return (
    <footer className="pager">
      <span className="muted">{total > 0 ? `${formatNumber(range.first)}–${formatNumber(range.last)} of ${formatNumber(total)}` : ''}</span>
      <div className="card-actions">
        <button type="button" disabled={!range.hasPrevious || busy} onClick={() => onPage(pageIndex - 1)}>
          Previous
        </button>
        <button type="button" disabled={!range.hasNext || busy} onClick={() => onPage(pageIndex + 1)}>
          Next
        </button>
      </div>
    </footer>
  );
}

interface OpenableRowOptions {
  /** The row shows what is open now (the timeline beside the table). */
  current: boolean;
  /** A tooltip that says what opening does, with its key. */
  title: string;
}

/**
 * Props for a row that opens something: a click, Enter or Space opens it (handed the row, so the focus
 * can come back to it), and the up and down arrows move between rows.
 */
export function openableRow(open: (row: HTMLTableRowElement) => void, { current, title }: OpenableRowOptions): RowProps {
  return {
    tabIndex: 0,
    className: current ? 'clickable current' : 'clickable',
    'aria-current': current ? 'true' : undefined,
    title,
    onClick: (e) => open(e.currentTarget),
    onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open(e.currentTarget);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const sibling = e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling;
        if (sibling instanceof HTMLElement) sibling.focus();
      }
    },
  };
}
