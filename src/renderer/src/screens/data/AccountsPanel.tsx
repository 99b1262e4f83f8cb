import { useState } from 'react';
import type { AccountMember, AccountSummary } from '../../../../shared/types';
import { api } from '../../lib/api';
import { formatDateTime, formatNumber } from '../../lib/format';
import { useApp } from '../../store';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { pickImportFile } from './ImportFileInput';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { useSearchedPages } from '../../ui/useSearchedPages';
import { otherTraits, traitText } from './model';

const PAGE_SIZE = 50;
const MEMBER_PAGE_SIZE = 20;
/** The account traits with columns of their own; the rest go to "Other traits". */
const ACCOUNT_TRAIT_COLUMNS = ['name', 'plan'] as const;

const dash = <span className="muted">—</span>;

/** The id of an account's detail row, for the disclosure button's aria-controls. */
const detailId = (groupId: string): string => `account-${groupId.replace(/[^\w-]/g, '_')}`;

/** The accounts in the cache (from group calls): searchable by groupId or any trait value, 50 a page, each opening to its members. */
export function AccountsPanel() {
  const dataVersion = useApp((s) => s.dataVersion);
  const { data: page, error, loading, query, setQuery, search, pageIndex, setPageIndex, scroller } = useSearchedPages(api.listAccounts, PAGE_SIZE, dataVersion);
  const [expanded, setExpanded] = useState<string | null>(null);

  const columns: Column<AccountSummary>[] = [
    {
      id: 'account',
      header: 'Account',
      className: 'truncate id-col',
      cell: (a) => {
        const open = expanded === a.groupId;
        return (
          <button
            type="button"
            className="disclosure"
            aria-expanded={open}
            aria-controls={open ? detailId(a.groupId) : undefined}
            onClick={() => setExpanded(open ? null : a.groupId)}
          >
            <span className="chevron" aria-hidden="true" />
            <code>{a.groupId}</code>
          </button>
        );
      },
    },
    { id: 'name', header: 'Name', className: 'truncate', cell: (a) => traitText(a.traits, 'name') || dash },
    { id: 'plan', header: 'Plan', cell: (a) => traitText(a.traits, 'plan') || dash },
    {
      id: 'traits',
      header: 'Other traits',
      className: 'truncate traits-col muted',
      cellProps: (a) => ({ title: otherTraits(a.traits, ACCOUNT_TRAIT_COLUMNS) }),
      cell: (a) => otherTraits(a.traits, ACCOUNT_TRAIT_COLUMNS),
    },
    { id: 'members', header: 'Members', numeric: true, cell: (a) => formatNumber(a.members) },
    { id: 'lastSeen', header: 'Last group call', cell: (a) => (a.lastSeen !== null ? formatDateTime(a.lastSeen) : '—') },
  ];

  const total = page?.total ?? 0;
  if (page !== null && total === 0 && !search) {
    return (
      <EmptyState
        size="inline"
        title="No accounts yet"
        help={
          <>
            Accounts come from <code>group</code> calls: import or sync events that hold some, and each account shows here with its members and
            traits, for segments to filter on.
          </>
        }
        action={{ label: 'Import events', onClick: pickImportFile }}
      />
    );
  }

  return (
    <section className="card" aria-labelledby="accounts-title">
      <header className="card-header">
        <div>
          <h3 id="accounts-title">Accounts</h3>
          <p className="muted" aria-live="polite">
            {page === null
              ? 'Loading…'
              : search
                ? `${formatNumber(total)} matching “${search}”`
                : `${formatNumber(total)} accounts, most recently active first · open a row for its members`}
          </p>
        </div>
        <input type="search" className="search" placeholder="Search group id or trait value" aria-label="Search accounts" value={query} onChange={(e) => setQuery(e.target.value)} />
      </header>
      <ErrorNote error={error} />
      <DataTable
        testId="accounts-table"
        scroll={loading ? 'table-scroll tall loading' : 'table-scroll tall'}
        scrollRef={scroller}
        columns={columns}
        rows={page?.accounts ?? []}
        rowKey={(a) => a.groupId}
        rowProps={(a) => ({ className: expanded === a.groupId ? 'expanded' : undefined })}
        detail={(a) => (expanded === a.groupId ? { className: 'detail-row', id: detailId(a.groupId), content: <AccountMembers account={a} /> } : null)}
        emptyRow={page === null ? undefined : `No account’s group id or traits contain “${search}”.`}
        paging={{ pageIndex, pageSize: PAGE_SIZE, total, onPage: setPageIndex, busy: loading }}
      />
    </section>
  );
}

const MEMBER_COLUMNS: Column<AccountMember>[] = [
  { id: 'user', header: 'User', className: 'truncate id-col', cell: (m) => <code>{m.user.id}</code> },
  { id: 'traits', header: 'Traits', className: 'truncate traits-col muted', cell: (m) => otherTraits(m.user.traits, []) || dash },
  { id: 'since', header: 'Member since', cell: (m) => formatDateTime(m.since) },
  { id: 'lastSeen', header: 'Last seen', cell: (m) => (m.user.lastSeen !== null ? formatDateTime(m.user.lastSeen) : '—') },
];

/** An account's members, a page at a time, in its detail row. */
function AccountMembers({ account }: { account: AccountSummary }) {
  const dataVersion = useApp((s) => s.dataVersion);
  const [pageIndex, setPageIndex] = useState(0);
  const { data: page, error, loading } = useApiQuery(
    () => api.getAccountMembers({ groupId: account.groupId, limit: MEMBER_PAGE_SIZE, offset: pageIndex * MEMBER_PAGE_SIZE }),
    [account.groupId, pageIndex, dataVersion],
    { keep: true },
  );
  return (
    <div className="account-members">
      <ErrorNote error={error} />
      <DataTable
        testId="account-members"
        caption={`Members of ${account.groupId}`}
        scroll={false}
        columns={MEMBER_COLUMNS}
        rows={page?.members ?? []}
        rowKey={(m) => m.user.id}
        emptyRow={page === null ? undefined : 'No members: no user’s group call names this account any more.'}
        paging={{ pageIndex, pageSize: MEMBER_PAGE_SIZE, total: page?.total ?? 0, onPage: setPageIndex, busy: loading }}
      />
    </div>
  );
}
