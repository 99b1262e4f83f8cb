import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { isWriterJob } from '../../lib/jobs';
import { useApp } from '../../store';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { useData } from './store';

/**
 * Connects a delivery server and syncs from it. The token goes straight from the password field to
 * the backend, which holds it in memory for this run: the renderer keeps no copy.
 */
export function SyncPanel({ autoFocus = false }: { autoFocus?: boolean }) {
  const dataVersion = useApp((s) => s.dataVersion);
  const trackJob = useData((s) => s.trackJob);
  const uploading = useData((s) => s.uploading !== null);
  const busy = useApp((s) => Object.values(s.jobs).some(isWriterJob)) || uploading;
  const syncState = useApiQuery(() => api.getSyncState({}), [dataVersion], { keep: true });
  const sync = syncState.data;
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const ids = useId();
  const error = formError ?? syncState.error;

  const start = async (args: { source?: string; token?: string }): Promise<boolean> => {
    setSubmitting(true);
    setFormError(null);
    try {
      const { jobId } = await api.startSync(args);
      trackJob(jobId);
      syncState.setData(await api.getSyncState({}));
      return true;
    } catch (err) {
      setFormError(errorMessage(err));
      return false;
    } finally {
      setSubmitting(false);
    }
  };

  const submit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const source = String(data.get('source') ?? '').trim();
    const token = String(data.get('token') ?? '');
    if (source === '') {
      setFormError('Enter the delivery server’s URL, such as https://delivery.example.com.');
      return;
    }
    if (token === '' && !sync?.hasToken) {
      setFormError('Enter the token the delivery server gave you.');
      return;
    }
    if (await start({ source, ...(token ? { token } : {}) })) {
      // The token field is emptied at once: the backend holds it now.
      const tokenInput = form.elements.namedItem('token');
      if (tokenInput instanceof HTMLInputElement) tokenInput.value = '';
    }
  };

  const canSyncNow = sync?.source != null && sync.hasToken;

  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="sync-panel">
      <header className="card-header">
        <div>
          <h3 id={`${ids}-title`}>Sync from a delivery server</h3>
          <p className="muted">
            Pulls new events from your Guidepost delivery server, page by page, picking up where the last sync stopped. Everything keeps
            working offline in between.
          </p>
        </div>
        {canSyncNow ? (
          <button type="button" className="primary" disabled={busy || submitting} onClick={() => void start({})}>
            Sync now
          </button>
        ) : null}
      </header>
      <dl className="facts">
        <dt>Source</dt>
        <dd data-testid="sync-source">{sync?.source ? <code>{sync.source}</code> : <span className="muted">Not connected</span>}</dd>
        <dt>Last synced</dt>
        <dd data-testid="sync-last">{sync ? (sync.lastSyncAt !== null ? formatDateTime(sync.lastSyncAt) : 'never') : '…'}</dd>
        {sync?.source ? (
          <>
            <dt>Token</dt>
            <dd>{sync.hasToken ? 'Held in memory for this session' : <span className="muted">Not held: enter it again to sync</span>}</dd>
          </>
        ) : null}
      </dl>
      <form className="sync-form" noValidate onSubmit={(e) => void submit(e)} aria-label="Connect a source">
        <label>
          <span>Source URL</span>
          <input
            name="source"
            data-sync-source
            type="url"
            inputMode="url"
            placeholder="https://delivery.example.com"
            defaultValue={sync?.source ?? ''}
            key={sync?.source ?? ''}
            autoComplete="url"
            spellCheck={false}
            autoFocus={autoFocus}
          />
        </label>
        <label>
          <span>Token</span>
          <input
            name="token"
            type="password"
            placeholder={sync?.hasToken ? 'Held in memory' : 'Export token'}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <button type="submit" disabled={busy || submitting}>
          {sync?.source ? 'Save and sync' : 'Connect and sync'}
        </button>
      </form>
      <p className="muted hint">The token stays in memory for this session only: it is never written to disk.</p>
      <ErrorNote error={error} />
    </section>
  );
}
