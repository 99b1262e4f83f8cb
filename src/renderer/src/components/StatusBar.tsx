import { useEffect, useState } from 'react';
import type { SyncState } from '../../../shared/types';
import { api, transportKind } from '../lib/api';
import { formatBytes, formatDateTime, formatNumber } from '../lib/format';
import { useApp } from '../store';

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
