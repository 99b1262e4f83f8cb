import { useEffect, useState } from 'react';
import type { OutboxItem } from '../../../../shared/messages/model';
import { api } from '../../lib/api';
import { formatDateTimeSeconds, formatNumber } from '../../lib/format';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { toast } from '../../ui/toast';
import { toastOnError } from '../../ui/toastOnError';
import { useApiQuery } from '../../ui/useApiQuery';
import { flatten, OP_LABELS, OUTBOX_LABELS } from './model';
import { useMessages } from './store';

/** One outbox item's state as a badge: queued, sending, published, failed or conflict. */
export function OutboxBadge({ item, short = false }: { item: OutboxItem; short?: boolean }) {
  const label = short ? OUTBOX_LABELS[item.state] : `${OP_LABELS[item.op]}${item.version !== null ? ` v${item.version}` : ''}: ${OUTBOX_LABELS[item.state]}`;
  return (
    <span className={`badge outbox-${item.state}`} data-testid="outbox-state" data-state={item.state} title={item.lastError ?? undefined}>
      {label}
    </span>
  );
}

const top = (path: string): string => path.split(/[.[]/)[0] ?? path;

/** When the next attempt is due, in words. */
function nextAttempt(item: OutboxItem): string {
  if (item.state === 'published') return '';
  if (item.state === 'conflict') return 'stopped: resolve the conflict';
  if (item.nextAttemptAt === null) return item.state === 'failed' ? 'stopped' : '';
  return `next try ${formatDateTimeSeconds(item.nextAttemptAt)}`;
}

export function useOutboxActions() {
  const refreshOutbox = useMessages((s) => s.refreshOutbox);
  const retry = (item: OutboxItem) =>
    toastOnError(async () => {
      await api.retryOutbox({ id: item.id });
      toast('info', 'Trying again now.');
    });
  const discard = async (item: OutboxItem): Promise<boolean> => {
    const done = await toastOnError(async () => {
      const { discarded } = await api.discardOutbox({ id: item.id });
      await refreshOutbox();
      const id = item.messageId;
      // The record's pending work changed too.
      api
        .getMessage({ id })
        .then((r) => useMessages.getState().absorb(r))
        .catch(() => undefined);
      toast('info', discarded ? 'Discarded. Your draft stays as it is; nothing on the server changed.' : 'That item was already gone.');
      return discarded;
    });
    return done ?? false;
  };
  return { retry, discard };
}

/** Everything waiting to go to (or stopped on the way to) a delivery server. */
export function OutboxPanel() {
  const outbox = useMessages((s) => s.outbox);
  const list = useMessages((s) => s.list);
  const refreshOutbox = useMessages((s) => s.refreshOutbox);
  const { retry, discard } = useOutboxActions();
  useEffect(() => {
    void refreshOutbox();
  }, [refreshOutbox]);

  if (outbox === null) return <p className="muted pad">Reading the outbox…</p>;
  const name = (id: string): string => list?.find((r) => r.message.id === id)?.message.name ?? id;
  const columns: Column<OutboxItem>[] = [
    {
      id: 'message',
      header: 'Message',
      cell: (item) => (
        <button type="button" className="link" onClick={() => void useMessages.getState().open(item.messageId)}>
          {name(item.messageId)}
        </button>
      ),
    },
    { id: 'operation', header: 'Operation', cell: (item) => `${OP_LABELS[item.op]}${item.version !== null ? ` v${item.version}` : ''}` },
    { id: 'environment', header: 'Environment', cell: (item) => item.environment },
    { id: 'state', header: 'State', cell: (item) => <OutboxBadge item={item} short /> },
    { id: 'attempts', header: 'Attempts', numeric: true, cell: (item) => formatNumber(item.attempts) },
    {
      id: 'next',
      header: 'Last error / next try',
      className: 'wrap small-text',
      cell: (item) => (
        <>
          {/* Offline is a normal state: a waiting item's last error is calm, a stopped one's is not. */}
          {item.lastError ? <div className={item.state === 'queued' ? undefined : 'error-text'}>{item.lastError}</div> : null}
          <div className="muted">{nextAttempt(item)}</div>
        </>
      ),
    },
  ];
  return (
    <section className="card" aria-labelledby="outbox-title" data-testid="outbox-panel">
      <header className="card-header">
        <div>
          <h3 id="outbox-title">Outbox</h3>
          <p className="muted">
            Publishing, pausing, resuming and ending are written here first and sent when the delivery server answers; while it is offline they
            wait and retry with backoff. A conflict stops until you decide.
          </p>
        </div>
        <div className="card-actions">
          <button type="button" className="ghost" onClick={() => void refreshOutbox()}>
            Refresh
          </button>
        </div>
      </header>
      <DataTable
        className="outbox-table"
        columns={columns}
        rows={outbox}
        rowKey={(item) => item.id}
        rowProps={() => ({ 'data-testid': 'outbox-row' })}
        actions={{
          cell: (item) => (
            <>
              {item.state === 'queued' || item.state === 'failed' ? (
                <button type="button" className="ghost small" aria-label={`Retry ${OP_LABELS[item.op]} of ${name(item.messageId)}`} onClick={() => void retry(item)}>
                  Retry
                </button>
              ) : null}
              {item.state !== 'published' && item.state !== 'sending' ? (
                <button type="button" className="ghost small danger" aria-label={`Discard ${OP_LABELS[item.op]} of ${name(item.messageId)}`} onClick={() => void discard(item)}>
                  Discard
                </button>
              ) : null}
            </>
          ),
        }}
        empty={<EmptyState size="inline" title="Nothing waiting" help="Every publish and command has been delivered." />}
      />
    </section>
  );
}

/**
 * A 409: someone published a newer version. Ours (what we tried to publish) and the server's stored
 * message side by side, field by field; nothing is overwritten until the user decides.
 */
export function ConflictView({ item }: { item: OutboxItem }) {
  const { discard } = useOutboxActions();
  const diff = useApiQuery(() => api.messageDiff({ id: item.messageId }), [item.messageId, item.id]);
  const ours = diff.data === null ? undefined : diff.data.body;
  const error = diff.error;

  const mine = flatten(ours ?? {});
  const theirs = flatten(item.serverMessage ?? {});
  // The fields a publish sets; the server's own bookkeeping (its id, publishedAt, counters) is not part of either version.
  const published = new Set([...mine.keys()].map(top));
  const keys = [...new Set([...mine.keys(), ...[...theirs.keys()].filter((k) => published.has(top(k)))])].sort();
  const differing = keys.filter((k) => mine.get(k) !== theirs.get(k));
  const [all, setAll] = useState(false);
  const shown = all ? keys : differing;
  return (
    <section className="notice error conflict" role="alert" aria-labelledby={`conflict-${item.id}`} data-testid="conflict-view">
      <div className="conflict-body">
        <strong id={`conflict-${item.id}`}>The server has a newer version of this message. Nothing was overwritten.</strong>
        <p>
          Someone published to {item.environment} after the version this draft was based on. Compare the two below; “Discard mine” drops this
          publish and keeps your draft, so you can fold their changes in and publish again.
        </p>
        {error ? <p className="error-text">{error}</p> : null}
        <DataTable
          className="conflict-table"
          rows={shown}
          rowKey={(k) => k}
          rowProps={(k) => ({ className: mine.get(k) !== theirs.get(k) ? 'differs' : undefined })}
          columns={[
            { id: 'field', header: 'Field', rowHeader: true, cell: (k) => k },
            { id: 'mine', header: `Mine${item.version !== null ? ` (v${item.version})` : ''}`, className: 'wrap', cell: (k) => mine.get(k) ?? '—' },
            { id: 'theirs', header: 'The server’s', className: 'wrap', cell: (k) => theirs.get(k) ?? '—' },
          ]}
          emptyRow={ours === undefined ? 'Reading both versions…' : 'No field differs.'}
        />
        <div className="row">
          <button type="button" className="danger-solid" onClick={() => void discard(item)}>
            Discard mine
          </button>
          <button type="button" className="ghost" aria-pressed={all} onClick={() => setAll(!all)}>
            {all ? `Show the ${differing.length} differing fields` : `Show all ${keys.length} fields`}
          </button>
        </div>
      </div>
    </section>
  );
}
