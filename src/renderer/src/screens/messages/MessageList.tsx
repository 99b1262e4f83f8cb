import { useState } from 'react';
import type { MessageRecord, MessageResults } from '../../../../shared/messages/model';
import { api } from '../../lib/api';
import { formatNumber, percent, plural } from '../../lib/format';
import { useApp } from '../../store';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { MenuButton } from '../../ui/MenuButton';
import { NewKindsMenu } from './NewKindsMenu';
import { SampleFlag } from '../../ui/SampleCaution';
import { toast } from '../../ui/toast';
import { toastOnError } from '../../ui/toastOnError';
import { useEachInTurn } from '../../ui/useEachInTurn';
import { useUndoableDelete } from '../../ui/useUndoableDelete';
import { formatScore, hasCallToAction, KIND_LABELS, latestOutbox, STATUS_LABELS } from './model';
import { OutboxBadge } from './OutboxView';
import { useMessages } from './store';

type Headline = { stamp: string; results: MessageResults | null; error: string | null };

/** The messages: kind, status, target, environment, last published version and how each did. */
export function MessageList() {
  const list = useMessages((s) => s.list);
  const listError = useMessages((s) => s.listError);
  const includeArchived = useMessages((s) => s.includeArchived);
  const { newMessage, setIncludeArchived } = useMessages.getState();
  const dataVersion = useApp((s) => s.dataVersion);
  const [headlines, setHeadlines] = useState<Record<string, Headline>>({});

  // Results come lazily, one published message at a time, after the list shows.
  useEachInTurn<MessageRecord, MessageResults>(
    list,
    {
      stamp: (r) => (r.publishedVersion === null ? null : `${r.publishedVersion}:${dataVersion}`),
      held: (r) => headlines[r.message.id]?.stamp,
      ask: (r) => api.messageResults({ id: r.message.id }),
      put: (r, stamp, answer) => setHeadlines((h) => ({ ...h, [r.message.id]: { stamp, results: answer.value ?? null, error: answer.error ?? null } })),
    },
    [dataVersion],
  );

  if (list === null) {
    return listError ? <ErrorNote error={listError} banner /> : <p className="muted pad">Loading messages…</p>;
  }

  const toggle = (
    <label className="check">
      <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} />
      Show archived
    </label>
  );

  if (list.length === 0) {
    return (
      <>
        <EmptyState
          title="Write your first message"
          help="An upsell modal, an NPS or multi-question survey, a banner or a slideout for a segment or a persona, previewed as users see it and published through an outbox that waits out a lost connection."
          action={{ label: 'New NPS survey', onClick: () => newMessage('nps') }}
          secondary={
            <>
              <button type="button" onClick={() => newMessage('modal')}>
                New upsell modal
              </button>
              <NewKindsMenu />
            </>
          }
        />
        <div className="pad">{toggle}</div>
      </>
    );
  }

  const columns: Column<MessageRecord>[] = [
    {
      id: 'message',
      header: 'Message',
      className: 'name-col',
      cell: (r) => (
        <>
          <button type="button" className="link row-name" onClick={() => void useMessages.getState().open(r.message.id)}>
            {r.message.name}
          </button>
          <div className="muted small-text">{KIND_LABELS[r.message.kind]}</div>
        </>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      cell: (r) => {
        const outbox = latestOutbox(r);
        return (
          <div className="status-cell">
            <StatusBadge record={r} />
            {outbox && outbox.state !== 'published' ? <OutboxBadge item={outbox} /> : null}
          </div>
        );
      },
    },
    // Wraps between words only: a narrow window must not print "seg-ment" (issue 17).
    { id: 'target', header: 'Target', className: 'target-col', cell: (r) => <TargetCell record={r} /> },
    { id: 'environment', header: 'Environment', cell: (r) => r.message.environment },
    { id: 'version', header: 'Version', numeric: true, cell: (r) => (r.publishedVersion === null ? <span className="muted">—</span> : `v${r.publishedVersion}`) },
    { id: 'results', header: 'Results', className: 'results-col', cell: (r) => <HeadlineCell record={r} headline={headlines[r.message.id]} /> },
  ];

  return (
    <>
      <div className="row messages-toolbar">
        <span className="muted">{list.length === 1 ? 'One message' : `${formatNumber(list.length)} messages`}</span>
        <span className="spacer" />
        {toggle}
      </div>
      <section className="card list-card" aria-label="Messages">
        <DataTable
          className="message-table"
          scroll="table-scroll message-scroll"
          testId="message-list"
          columns={columns}
          rows={list}
          rowKey={(r) => r.message.id}
          rowProps={(r) => ({ className: r.message.archived ? 'archived-row' : undefined, 'data-testid': 'message-row' })}
          actions={{ cell: (r) => <MessageActions record={r} /> }}
        />
      </section>
    </>
  );
}

export function StatusBadge({ record }: { record: MessageRecord }) {
  return <span className={`badge status-${record.status}`}>{STATUS_LABELS[record.status]}</span>;
}

/** The target's name, or the record's warning when the segment or persona is gone. */
export function TargetCell({ record }: { record: MessageRecord }) {
  if (record.targetWarning || record.targetName === null) {
    return (
      <span className="target-warning" role="note" data-testid="target-warning">
        ⚠ {record.targetWarning ?? 'The target no longer exists: pick another segment or persona.'}
      </span>
    );
  }
  return (
    <span>
      <span className="kind-tag">{record.message.target.type === 'segment' ? 'segment' : 'persona'}</span>
      {record.targetName}
    </span>
  );
}

function HeadlineCell({ record, headline }: { record: MessageRecord; headline: Headline | undefined }) {
  if (record.publishedVersion === null) return <span className="muted">not published</span>;
  if (!headline) return <span className="muted">…</span>;
  if (!headline.results) return <span className="error-text small-text" title={headline.error ?? ''}>no results</span>;
  const r = headline.results;
  if (r.nps) {
    return (
      <>
        <div>
          NPS <strong>{formatScore(r.nps.score)}</strong>
        </div>
        <div className="muted small-text">{plural(r.nps.answers, 'answer')}</div>
        <SampleFlag n={r.nps.answers} kind="score" unit="answers" />
      </>
    );
  }
  // A click-through rate only where there is something to click (a survey's or a banner's without a button has none).
  if (!hasCallToAction(record.message)) return <div>{formatNumber(r.shown)} shown</div>;
  return (
    <>
      <div>{formatNumber(r.shown)} shown</div>
      <div className="muted small-text">CTR {percent(r.clicked, r.shown)}</div>
      <SampleFlag n={r.shown} kind="rate" unit="showings" />
    </>
  );
}

/** A message's menu: results, duplicate, archive or restore, and delete (with Undo) while it was never published. */
function MessageActions({ record: r }: { record: MessageRecord }) {
  const { open, refreshList } = useMessages.getState();
  const m = r.message;
  const deletion = useUndoableDelete({
    name: m.name,
    remove: async () => {
      await api.deleteMessage({ id: m.id });
    },
    restore: async () => {
      await api.saveMessage({ message: r.message });
    },
    refresh: refreshList,
  });

  const duplicate = () =>
    toastOnError(async () => {
      const copy = await api.duplicateMessage({ id: m.id });
      await refreshList();
      toast('success', `Duplicated as “${copy.message.name}”.`, { label: 'Open', run: () => void open(copy.message.id) });
    });
  const archive = (archived: boolean) =>
    toastOnError(async () => {
      await api.archiveMessage({ id: m.id, archived });
      await refreshList();
      toast('info', archived ? `Archived “${m.name}”.` : `Restored “${m.name}” from the archive.`, {
        label: 'Undo',
        run: () => void api.archiveMessage({ id: m.id, archived: !archived }).then(() => refreshList()),
      });
    });

  const items = [
    { id: 'results', label: 'Results', run: () => void open(m.id, 'results') },
    { id: 'duplicate', label: 'Duplicate', run: () => void duplicate() },
    m.archived
      ? { id: 'unarchive', label: 'Restore from archive', run: () => void archive(false) }
      : { id: 'archive', label: 'Archive', run: () => void archive(true) },
    ...(r.publishedVersion === null ? [{ id: 'delete', label: 'Delete', hint: 'Undo-able', run: () => void deletion.run() }] : []),
  ];

  return <MenuButton label="Actions" ariaLabel={`Actions for ${m.name}`} className="ghost small" items={items} />;
}
