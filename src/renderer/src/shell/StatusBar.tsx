import { useEffect, useState } from 'react';
import type { OutboxItem } from '../../../shared/messages/model';
import type { SyncState } from '../../../shared/types';
import { api, onBackendEvent, transportKind } from '../lib/api';
import { formatBytes, formatDateTime, formatNumber } from '../lib/format';
import { useApp } from '../store';
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
  const [counts, setCounts] = useState({ waiting: 0, stopped: 0 });
  useEffect(() => {
    let live = true;
    const read = (): void => {
      api
        .listOutbox({})
        .then((items) => live && setCounts(outboxCounts(items)))
        .catch(() => undefined);
    };
    read();
    const off = onBackendEvent((event) => {
      if (event.name === 'outbox') read();
    });
    return () => {
      live = false;
      off();
    };
  }, []);
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
  const setDataTab = useApp((s) => s.setDataTab);
  const dataVersion = useApp((s) => s.dataVersion);
  const [sync, setSync] = useState<SyncState | null>(null);

  useEffect(() => {
    let live = true;
    api
      .getSyncState({})
      .then((s) => live && setSync(s))
      .catch(() => live && setSync(null));
    return () => {
      live = false;
    };
  }, [dataVersion]);

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
          <span>Cache {formatBytes(status.sizeBytes)}</span>
          {sync?.source ? (
            <button
              type="button"
              className="link"
              title={`Source: ${sync.source}`}
              onClick={() => {
                setArea('data');
                setDataTab('imports');
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
      <span className="muted">{transportKind === 'ipc' ? 'Desktop' : 'Browser mode'}</span>
      <span className="muted">Ctrl+K for commands</span>
    </footer>
  );
}
