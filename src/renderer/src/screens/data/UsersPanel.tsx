import { useRef, useState } from 'react';
import type { UserSummary } from '../../../../shared/types';
import { api } from '../../lib/api';
import { formatDateTime, formatNumber } from '../../lib/format';
import { useApp } from '../../store';
import { DataTable, openableRow, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { useSearchedPages } from '../../ui/useSearchedPages';
import { otherTraits, traitText } from './model';
import { UserTimelinePanel } from './UserTimelinePanel';

const PAGE_SIZE = 50;

const dash = <span className="muted">—</span>;

const COLUMNS: Column<UserSummary>[] = [
  { id: 'user', header: 'User', className: 'truncate id-col', cell: (u) => <code>{u.id}</code> },
  { id: 'plan', header: 'Plan', cell: (u) => traitText(u.traits, 'plan') || dash },
  { id: 'role', header: 'Role', cell: (u) => traitText(u.traits, 'role') || dash },
  { id: 'company', header: 'Company', className: 'truncate', cell: (u) => traitText(u.traits, 'company') || dash },
  { id: 'traits', header: 'Other traits', className: 'truncate traits-col muted', cellProps: (u) => ({ title: otherTraits(u.traits) }), cell: (u) => otherTraits(u.traits) },
  { id: 'firstSeen', header: 'First seen', cell: (u) => (u.firstSeen !== null ? formatDateTime(u.firstSeen) : '—') },
  { id: 'lastSeen', header: 'Last seen', cell: (u) => (u.lastSeen !== null ? formatDateTime(u.lastSeen) : '—') },
];

/** The users in the cache: searchable by id or any trait value, 50 a page, each opening their timeline. */
export function UsersPanel() {
  const dataVersion = useApp((s) => s.dataVersion);
  const { data: page, error, loading, query, setQuery, search, pageIndex, setPageIndex, scroller } = useSearchedPages(api.listUsers, PAGE_SIZE, dataVersion);
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

  return (
    <section className="card" aria-labelledby="users-title">
      <header className="card-header">
        <div>
          <h3 id="users-title">Users</h3>
          <p className="muted" aria-live="polite">
            {page === null ? 'Loading…' : search ? `${formatNumber(total)} matching “${search}”` : `${formatNumber(total)} users, most recently active first`}
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
      <ErrorNote error={error} />
      <DataTable
        className="users-table"
        testId="users-table"
        scroll={loading ? 'table-scroll tall loading' : 'table-scroll tall'}
        scrollRef={scroller}
        bodyRef={tbody}
        columns={COLUMNS}
        rows={page?.users ?? []}
        rowKey={(u) => u.id}
        rowProps={(u) => openableRow((row) => open(u, row), { current: u.id === selected, title: "Open this user's timeline (Enter)" })}
        emptyRow={page === null ? undefined : search ? `No user’s id or traits contain “${search}”.` : 'No users yet: import events or open the demo workspace.'}
        paging={{ pageIndex, pageSize: PAGE_SIZE, total, onPage: setPageIndex, busy: loading }}
      />
      {selected !== null ? <UserTimelinePanel userId={selected} onClose={closeTimeline} /> : null}
    </section>
  );
}
