import { useEffect } from 'react';
import type { OutboxItem } from '../../../shared/messages/model';
import { api, onBackendEvent, transportKind } from '../lib/api';
import { formatBytes, formatDateTime, formatNumber } from '../lib/format';
import { useApp } from '../store';
import { useApiQuery } from '../ui/useApiQuery';
import { useData } from '../screens/data';
import { useMessages } from '../screens/messages';

/** Outbox items not yet through: waiting to be sent (offline is normal), or stopped and needing a look. */
function outboxCounts(items: readonly OutboxItem[]): { waiting: number; stopped: number } {
  let waiting = 0;
  let stopped = 0;
  for (const item of items) {
    if (item.state === 'queued' || item.state === 'sending') waiting += 1;
    else if (item.state === 'failed' || item.state === 'conflict') stopped += 1;
  }
  return { waiting, stopped };
}

/** What is waiting in the outbox, kept live from the backend's outbox events; nothing when it is empty. */
function OutboxIndicator() {
  const setArea = useApp((s) => s.setArea);
  // A failed read keeps the last counts: the indicator is a hint, not an alarm.
  const outbox = useApiQuery(() => api.listOutbox({}), [], { keep: true });
  const { reload } = outbox;
  useEffect(
    () =>
      onBackendEvent((event) => {
        if (event.name === 'outbox') reload();
      }),
    [reload],
  );
  const counts = outboxCounts(outbox.data ?? []);
  if (counts.waiting === 0 && counts.stopped === 0) return null;
  const parts = [counts.waiting > 0 ? `${formatNumber(counts.waiting)} waiting` : '', counts.stopped > 0 ? `${formatNumber(counts.stopped)} need a look` : ''];
  return (
    <button
      type="button"
      className={counts.stopped > 0 ? 'link warning-text' : 'link'}
      title="Publishing waits in the outbox while the delivery server cannot be reached"
      onClick={() => {
        setArea('messages');
        // Through the guarded close: an unsaved draft gets its prompt before the list moves to the outbox.
        const messages = useMessages.getState();
        void messages.close(() => messages.setListTab('outbox'));
      }}
    >
      Outbox: <strong data-testid="status-outbox">{parts.filter(Boolean).join(', ')}</strong>
    </button>
  );
}

/** The quiet line at the bottom: what the cache holds, as of when, and when it last synced. Offline is a normal state. */
export function StatusBar() {
  const status = useApp((s) => s.status);
  const error = useApp((s) => s.statusError);
  const setArea = useApp((s) => s.setArea);
  const dataVersion = useApp((s) => s.dataVersion);
  const syncState = useApiQuery(() => api.getSyncState({}), [dataVersion], { keep: true });
  const sync = syncState.error ? null : syncState.data;

  return (
    <footer className="status-bar">
      {error ? (
        <span className="error-text">{error}</span>
      ) : status ? (
        <>
          <button type="button" className="link" onClick={() => setArea('settings')} title="Change the instant figures are computed as of">
            Data as of: <strong data-testid="data-as-of">{status.dataAsOf !== null ? formatDateTime(status.dataAsOf) : 'no data yet'}</strong>
          </button>
          <span>{formatNumber(status.users)} users</span>
          <span>{formatNumber(status.events)} events</span>
          <span className="status-optional">Cache {formatBytes(status.sizeBytes)}</span>
          {sync?.source ? (
            <button
              type="button"
              className="link"
              title={`Source: ${sync.source}`}
              onClick={() => {
                setArea('data');
                useData.getState().setTab('imports');
              }}
            >
              Last synced: <strong data-testid="status-last-sync">{sync.lastSyncAt !== null ? formatDateTime(sync.lastSyncAt) : 'never'}</strong>
            </button>
          ) : null}
          <OutboxIndicator />
        </>
      ) : (
        <span>Opening the cache…</span>
      )}
      <span className="spacer" />
      <span className="muted status-optional">{transportKind === 'ipc' ? 'Desktop' : 'Browser mode'}</span>
      <span className="muted status-optional">Ctrl+K for commands</span>
    </footer>
  );
}
