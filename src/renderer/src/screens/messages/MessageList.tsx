import { useEffect, useState } from 'react';
import type { MessageRecord, MessageResults } from '../../../../shared/messages/model';
import { api, errorMessage } from '../../lib/api';
import { formatNumber, percent, plural } from '../../lib/format';
import { useApp } from '../../store';
import { EmptyState } from '../../ui/EmptyState';
import { MenuButton } from '../../ui/MenuButton';
import { toast } from '../../ui/toast';
import { formatScore, KIND_LABELS, latestOutbox, STATUS_LABELS } from './model';
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
  useEffect(() => {
    if (!list) return;
    let live = true;
    const run = async (): Promise<void> => {
      for (const r of list) {
        if (!live) return;
        if (r.publishedVersion === null) continue;
        const stamp = `${r.publishedVersion}:${dataVersion}`;
        if (headlines[r.message.id]?.stamp === stamp) continue;
        try {
          const results = await api.messageResults({ id: r.message.id });
          if (live) setHeadlines((h) => ({ ...h, [r.message.id]: { stamp, results, error: null } }));
        } catch (err) {
          if (live) setHeadlines((h) => ({ ...h, [r.message.id]: { stamp, results: null, error: errorMessage(err) } }));
        }
      }
    };
    const t = setTimeout(() => void run(), 50);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // headlines is read, not followed: following it would loop.
  }, [list, dataVersion]);

  if (list === null) {
    return listError ? (
      <p className="error-banner" role="alert">
        {listError}
      </p>
    ) : (
      <p className="muted pad">Loading messages…</p>
    );
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
          title={includeArchived ? 'No messages, archived or not' : 'No messages yet: write an NPS survey or an upsell modal'}
          actions={
            <>
              <button type="button" className="primary" onClick={() => newMessage('nps')}>
                New NPS survey
              </button>
              <button type="button" onClick={() => newMessage('modal')}>
                New upsell modal
              </button>
            </>
          }
        >
          <p>
            A message turns a segment or a workshop persona into something users see in the product: an upsell modal when a Starter admin hits
            the project limit, or an NPS survey for engaged users. The preview is drawn by the SDK itself, and publishing goes through an outbox
            that waits out a lost connection.
          </p>
        </EmptyState>
        <div className="pad">{toggle}</div>
      </>
    );
  }

  return (
    <>
      <div className="row messages-toolbar">
        <span className="muted">{list.length === 1 ? 'One message' : `${formatNumber(list.length)} messages`}</span>
        <span className="spacer" />
        {toggle}
      </div>
      <section className="card segment-list-card" aria-label="Messages">
        <table className="data-table message-table" data-testid="message-list">
          <thead>
            <tr>
              <th scope="col">Message</th>
              <th scope="col">Status</th>
              <th scope="col">Target</th>
              <th scope="col">Environment</th>
              <th scope="col" className="num">
                Version
              </th>
              <th scope="col">Results</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <MessageRow key={r.message.id} record={r} headline={headlines[r.message.id]} />
            ))}
          </tbody>
        </table>
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
      <span>
        NPS <strong>{formatScore(r.nps.score)}</strong>
        <span className="muted"> · {plural(r.nps.answers, 'answer')}</span>
      </span>
    );
  }
  return (
    <span>
      {formatNumber(r.shown)} shown<span className="muted"> · CTR {percent(r.clicked, r.shown)}</span>
    </span>
  );
}

function MessageRow({ record: r, headline }: { record: MessageRecord; headline: Headline | undefined }) {
  const { open, refreshList } = useMessages.getState();
  const m = r.message;
  const outbox = latestOutbox(r);

  const duplicate = async (): Promise<void> => {
    try {
      const copy = await api.duplicateMessage({ id: m.id });
      await refreshList();
      toast('success', `Duplicated as “${copy.message.name}”.`, { label: 'Open', run: () => void open(copy.message.id) });
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };
  const archive = async (archived: boolean): Promise<void> => {
    try {
      await api.archiveMessage({ id: m.id, archived });
      await refreshList();
      toast('info', archived ? `Archived “${m.name}”.` : `Restored “${m.name}” from the archive.`, {
        label: 'Undo',
        run: () => void api.archiveMessage({ id: m.id, archived: !archived }).then(() => refreshList()),
      });
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };
  const remove = async (): Promise<void> => {
    try {
      await api.deleteMessage({ id: m.id });
      await refreshList();
      const doc = r.message;
      toast('info', `Deleted “${m.name}”.`, {
        label: 'Undo',
        run: () => {
          api
            .saveMessage({ message: doc })
            .then(async () => {
              await refreshList();
              toast('success', `Restored “${doc.name}”.`);
            })
            .catch((err: unknown) => toast('error', `Could not restore “${doc.name}”: ${errorMessage(err)}`));
        },
      });
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };

  const items = [
    { id: 'results', label: 'Results', run: () => void open(m.id, 'results') },
    { id: 'duplicate', label: 'Duplicate', run: () => void duplicate() },
    m.archived
      ? { id: 'unarchive', label: 'Restore from archive', run: () => void archive(false) }
      : { id: 'archive', label: 'Archive', run: () => void archive(true) },
    ...(r.publishedVersion === null ? [{ id: 'delete', label: 'Delete', hint: 'Undo-able', run: () => void remove() }] : []),
  ];

  return (
    <tr className={m.archived ? 'archived-row' : undefined} data-testid="message-row">
      <td>
        <button type="button" className="link segment-name" onClick={() => void open(m.id)}>
          {m.name}
        </button>
        <div className="muted small-text">{KIND_LABELS[m.kind]}</div>
      </td>
      <td>
        <div className="status-cell">
          <StatusBadge record={r} />
          {outbox && outbox.state !== 'published' ? <OutboxBadge item={outbox} /> : null}
        </div>
      </td>
      <td className="wrap">
        <TargetCell record={r} />
      </td>
      <td>{m.environment}</td>
      <td className="num">{r.publishedVersion === null ? <span className="muted">—</span> : `v${r.publishedVersion}`}</td>
      <td>
        <HeadlineCell record={r} headline={headline} />
      </td>
      <td className="row-actions">
        <MenuButton label="Actions" ariaLabel={`Actions for ${m.name}`} className="ghost small" items={items} />
      </td>
    </tr>
  );
}
