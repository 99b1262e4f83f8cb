import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { UserPage, UserSummary } from '../../../shared/types';
import { api, errorMessage } from '../lib/api';
import { formatDateTime, formatNumber, valueText } from '../lib/format';
import { useApp } from '../store';
import { UserTimelinePanel } from './UserTimelinePanel';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 200;
/** Traits with their own column; the rest are summed up as text in "Other traits". */
const TRAIT_COLUMNS = ['plan', 'role', 'company'] as const;

export function otherTraits(traits: Record<string, unknown>): string {
  return Object.entries(traits)
    .filter(([key]) => !(TRAIT_COLUMNS as readonly string[]).includes(key))
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join(' · ');
}

function trait(traits: Record<string, unknown>, key: string): string {
  const value = traits[key];
  return value === undefined || value === null || value === '' ? '' : valueText(value);
}

/** The users in the cache: searchable by id or any trait value, 50 a page, each opening their timeline. */
export function UsersPanel() {
  const dataVersion = useApp((s) => s.dataVersion);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [pageIndex, setPageIndex] = useState(0);
  const [page, setPage] = useState<UserPage | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const tbody = useRef<HTMLTableSectionElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);

  // Typing waits for a pause before asking the backend. Only a changed search goes back to page one: on
  // mount this timer used to fire too, and snapped a quick "Next" back to the first page.
  useEffect(() => {
    const next = query.trim();
    if (next === search) return;
    const timer = setTimeout(() => {
      setSearch(next);
      setPageIndex(0);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, search]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .listUsers({ ...(search ? { search } : {}), limit: PAGE_SIZE, offset: pageIndex * PAGE_SIZE })
      .then((p) => {
        if (!live) return;
        setPage(p);
        setError(null);
        scroller.current?.scrollTo({ top: 0 });
      })
      .catch((err: unknown) => live && setError(errorMessage(err)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [search, pageIndex, dataVersion]);

  const open = (user: UserSummary, row: HTMLElement): void => {
    returnTo.current = row;
    setSelected(user.id);
  };
  const closeTimeline = (): void => {
    setSelected(null);
    returnTo.current?.focus();
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, user: UserSummary): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(user, e.currentTarget);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const sibling = e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling;
      if (sibling instanceof HTMLElement) sibling.focus();
    }
  };

  const total = page?.total ?? 0;
  const first = total === 0 ? 0 : pageIndex * PAGE_SIZE + 1;
  const last = Math.min(total, (pageIndex + 1) * PAGE_SIZE);
  const users = page?.users ?? [];

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
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      <div ref={scroller} className={loading ? 'table-scroll tall loading' : 'table-scroll tall'}>
        <table className="data-table users-table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Plan</th>
              <th scope="col">Role</th>
              <th scope="col">Company</th>
              <th scope="col">Other traits</th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody ref={tbody}>
            {users.map((u) => {
              const others = otherTraits(u.traits);
              return (
                <tr
                  key={u.id}
                  tabIndex={0}
                  className={u.id === selected ? 'clickable current' : 'clickable'}
                  aria-current={u.id === selected ? 'true' : undefined}
                  onClick={(e) => open(u, e.currentTarget)}
                  onKeyDown={(e) => onRowKey(e, u)}
                  title="Open this user's timeline (Enter)"
                >
                  <td className="truncate id-col"><code>{u.id}</code></td>
                  <td>{trait(u.traits, 'plan') || <span className="muted">—</span>}</td>
                  <td>{trait(u.traits, 'role') || <span className="muted">—</span>}</td>
                  <td className="truncate">{trait(u.traits, 'company') || <span className="muted">—</span>}</td>
                  <td className="truncate traits-col muted" title={others}>{others}</td>
                  <td>{u.firstSeen !== null ? formatDateTime(u.firstSeen) : '—'}</td>
                  <td>{u.lastSeen !== null ? formatDateTime(u.lastSeen) : '—'}</td>
                </tr>
              );
            })}
            {page !== null && users.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted empty-row">
                  {search ? `No user’s id or traits contain “${search}”.` : 'No users yet: import events or open the demo workspace.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <footer className="pager">
        <span className="muted">
          {total > 0 ? `${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(total)}` : ''}
        </span>
        <div className="card-actions">
          <button type="button" disabled={pageIndex === 0 || loading} onClick={() => setPageIndex(pageIndex - 1)}>
            Previous
          </button>
          <button type="button" disabled={last >= total || loading} onClick={() => setPageIndex(pageIndex + 1)}>
            Next
          </button>
        </div>
      </footer>
      {selected !== null ? <UserTimelinePanel userId={selected} onClose={closeTimeline} /> : null}
    </section>
  );
}
