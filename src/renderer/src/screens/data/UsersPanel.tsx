import { useRef, useState, type FormEvent } from 'react';
import type { UserSortColumn } from '../../../../shared/contract/data';
import type { UserSummary } from '../../../../shared/types';
import { api } from '../../lib/api';
import { formatDateTime, formatNumber } from '../../lib/format';
import { useApp } from '../../store';
import { DataTable, openableRow, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { FieldErrors } from '../../ui/Field';
import type { SortState } from '../../ui/table-model';
import { useSearchedPages } from '../../ui/useSearchedPages';
import { otherTraits, traitText } from './model';
import { UserTimelinePanel } from './UserTimelinePanel';
import './data.css';

const PAGE_SIZE = 50;

const dash = <span className="muted">—</span>;

/** The backend sorts (users-repo.ts); a column's sortValue only marks its header as sortable. */
const byBackend = (): number => 0;

const COLUMNS: Column<UserSummary>[] = [
  { id: 'id', header: 'User', className: 'truncate id-col', cell: (u) => <code>{u.id}</code>, sortValue: byBackend },
  { id: 'plan', header: 'Plan', cell: (u) => traitText(u.traits, 'plan') || dash },
  { id: 'role', header: 'Role', cell: (u) => traitText(u.traits, 'role') || dash },
  { id: 'company', header: 'Company', className: 'truncate', cell: (u) => traitText(u.traits, 'company') || dash },
  { id: 'traits', header: 'Other traits', className: 'truncate traits-col muted', cellProps: (u) => ({ title: otherTraits(u.traits) }), cell: (u) => otherTraits(u.traits) },
  { id: 'firstSeen', header: 'First seen', cell: (u) => (u.firstSeen !== null ? formatDateTime(u.firstSeen) : '—'), sortValue: byBackend, firstSort: 'descending' },
  { id: 'lastSeen', header: 'Last seen', cell: (u) => (u.lastSeen !== null ? formatDateTime(u.lastSeen) : '—'), sortValue: byBackend, firstSort: 'descending' },
];

const DEFAULT_SORT: SortState = { column: 'lastSeen', direction: 'descending' };
const SORT_WORDS: Record<UserSortColumn, Record<SortState['direction'], string>> = {
  id: { ascending: 'by id, A to Z', descending: 'by id, Z to A' },
  firstSeen: { ascending: 'first seen longest ago first', descending: 'newest first' },
  lastSeen: { ascending: 'least recently active first', descending: 'most recently active first' },
};

const isSortColumn = (column: string): column is UserSortColumn => column in SORT_WORDS;

interface TraitFilter {
  key: string;
  value: string;
}

/** The trait filter's two fields: applied on Enter or "Filter", cleared by "Clear". */
function TraitFilterForm({ applied, onApply }: { applied: TraitFilter | null; onApply(next: TraitFilter | null): void }) {
  const [key, setKey] = useState(applied?.key ?? '');
  const [value, setValue] = useState(applied?.value ?? '');
  const [errors, setErrors] = useState<string[]>([]);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (key.trim() === '') {
      setErrors(value === '' ? [] : ['Name the trait to filter by, such as plan.']);
      if (value === '') onApply(null);
      return;
    }
    setErrors([]);
    onApply({ key: key.trim(), value });
  };
  const clear = (): void => {
    setKey('');
    setValue('');
    setErrors([]);
    onApply(null);
  };
  return (
    <form className="trait-filter" role="search" aria-label="Filter users by a trait" onSubmit={submit}>
      <label>
        <span className="muted">Trait</span>
        <input type="text" className="w-key" aria-label="Trait to filter by" placeholder="plan" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={errors.length > 0 || undefined} />
      </label>
      <label>
        <span className="muted">is</span>
        <input type="text" className="w-value" aria-label="Trait value" placeholder="value" spellCheck={false} value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="submit">Filter</button>
      {applied ? (
        <button type="button" onClick={clear}>
          Clear filter
        </button>
      ) : null}
      <FieldErrors errors={errors} testId="trait-filter-errors" />
    </form>
  );
}

/** The users in the cache: searchable by id or any trait value, 50 a page, each opening their timeline. */
export function UsersPanel() {
  const dataVersion = useApp((s) => s.dataVersion);
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const [trait, setTrait] = useState<TraitFilter | null>(null);
  const sortColumn = isSortColumn(sort.column) ? sort.column : 'lastSeen';
  const sortAndFilter = { sort: { column: sortColumn, direction: sort.direction }, ...(trait ? { trait } : {}) };
  const { data: page, error, loading, query, setQuery, search, pageIndex, setPageIndex, scroller } = useSearchedPages(
    (request) => api.listUsers({ ...request, ...sortAndFilter }),
    PAGE_SIZE,
    dataVersion,
    JSON.stringify(sortAndFilter),
  );
  const [selected, setSelected] = useState<string | null>(null);
  const tbody = useRef<HTMLTableSectionElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);

  const open = (user: UserSummary, row: HTMLElement): void => {
    returnTo.current = row;
    setSelected(user.id);
  };
  const closeTimeline = (): void => {
    setSelected(null);
    returnTo.current?.focus();
  };

  const total = page?.total ?? 0;
  const filtered = [search ? `matching “${search}”` : null, trait ? `whose ${trait.key} is “${trait.value}”` : null].filter(Boolean).join(' and ');
  const summary = filtered ? `${formatNumber(total)} ${total === 1 ? 'user' : 'users'} ${filtered}, ${SORT_WORDS[sortColumn][sort.direction]}` : `${formatNumber(total)} users, ${SORT_WORDS[sortColumn][sort.direction]}`;
  const emptyRow = trait
    ? `No user ${search ? `matching “${search}” ` : ''}has ${trait.key} “${trait.value}”.`
    : search
      ? `No user’s id or traits contain “${search}”.`
      : 'No users yet: import events or open the demo workspace.';

  return (
    <section className="card" aria-labelledby="users-title">
      <header className="card-header">
        <div>
          <h3 id="users-title">Users</h3>
          <p className="muted" aria-live="polite">
            {page === null ? 'Loading…' : summary}
          </p>
        </div>
        <input
          type="search"
          className="search"
          placeholder="Search id or trait value"
          aria-label="Search users"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              (tbody.current?.firstElementChild as HTMLElement | null)?.focus();
            }
          }}
        />
      </header>
      <TraitFilterForm applied={trait} onApply={setTrait} />
      <ErrorNote error={error} />
      <DataTable
        className="users-table"
        testId="users-table"
        scroll={loading ? 'table-scroll tall loading' : 'table-scroll tall'}
        scrollRef={scroller}
        bodyRef={tbody}
        columns={COLUMNS}
        serverSort={{ sort, onSort: setSort }}
        rows={page?.users ?? []}
        rowKey={(u) => u.id}
        rowProps={(u) => openableRow((row) => open(u, row), { current: u.id === selected, title: "Open this user's timeline (Enter)" })}
        emptyRow={page === null ? undefined : emptyRow}
        paging={{ pageIndex, pageSize: PAGE_SIZE, total, onPage: setPageIndex, busy: loading }}
      />
      {selected !== null ? <UserTimelinePanel userId={selected} onClose={closeTimeline} /> : null}
    </section>
  );
}
