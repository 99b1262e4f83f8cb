import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { isWriterJob } from '../../lib/jobs';
import { useApp } from '../../store';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { useData } from './store';

/**
 * Adds a PostgreSQL warehouse (Segment's or RudderStack's PostgreSQL destination) as a source and syncs
 * its schema. The password goes from its field straight to the backend: in the app the main process
 * saves it encrypted in its token vault first, in browser mode the backend holds it in memory. The
 * URL must not carry it; the renderer keeps no copy.
 */
export function WarehouseSyncPanel() {
  const dataVersion = useApp((s) => s.dataVersion);
  const trackJob = useData((s) => s.trackJob);
  const uploading = useData((s) => s.uploading !== null);
  const busy = useApp((s) => Object.values(s.jobs).some(isWriterJob)) || uploading;
  const state = useApiQuery(() => api.getWarehouseSource({}), [dataVersion], { keep: true });
  const current = state.data;
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const ids = useId();
  const error = formError ?? state.error;

  const start = async (args: { source?: string; schema?: string; password?: string }): Promise<boolean> => {
    setSubmitting(true);
    setFormError(null);
    try {
      const { jobId } = await api.startWarehouseSync(args);
      trackJob(jobId);
      state.setData(await api.getWarehouseSource({}));
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
    const schema = String(data.get('schema') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (source === '') {
      setFormError('Enter the warehouse’s URL, such as postgres://reader@warehouse.example.com:5432/analytics.');
      return;
    }
    if (schema === '') {
      setFormError('Enter the schema the warehouse loads your source into, such as segment_prod.');
      return;
    }
    if (await start({ source, schema, ...(password ? { password } : {}) })) {
      // Emptied at once: the backend holds it now.
      const input = form.elements.namedItem('password');
      if (input instanceof HTMLInputElement) input.value = '';
    }
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid="warehouse-panel">
      <header className="card-header">
        <div>
          <h3 id={`${ids}-title`}>Sync from a PostgreSQL warehouse</h3>
          <p className="muted">
            Reads the tables Segment or RudderStack load into PostgreSQL (tracks, per-event tables, pages, screens, identifies, users, groups,
            accounts, aliases), only what is new since the last sync plus a lookback window for rows loaded late.
          </p>
        </div>
        {current?.source ? (
          <button type="button" className="primary" disabled={busy || submitting} onClick={() => void start({})}>
            Sync now
          </button>
        ) : null}
      </header>
      <dl className="facts">
        <dt>Source</dt>
        <dd data-testid="warehouse-source">
          {current?.source ? (
            <code>
              {current.source} · {current.schema}
            </code>
          ) : (
            <span className="muted">Not connected</span>
          )}
        </dd>
        <dt>Last synced</dt>
        <dd data-testid="warehouse-last">{current ? (current.lastSyncAt !== null ? formatDateTime(current.lastSyncAt) : 'never') : '…'}</dd>
        {current?.source ? (
          <>
            <dt>Password</dt>
            <dd data-testid="warehouse-password">{current.hasPassword ? 'Saved' : <span className="muted">None saved (a pgpass file may give it)</span>}</dd>
          </>
        ) : null}
      </dl>
      <form className="sync-form" noValidate onSubmit={(e) => void submit(e)} aria-label="Connect a PostgreSQL warehouse">
        <label>
          <span>PostgreSQL URL</span>
          <input
            name="source"
            type="url"
            inputMode="url"
            placeholder="postgres://reader@warehouse.example.com:5432/analytics"
            defaultValue={current?.source ?? ''}
            key={`source-${current?.source ?? ''}`}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label>
          <span>Schema</span>
          <input name="schema" placeholder="segment_prod" defaultValue={current?.schema ?? ''} key={`schema-${current?.schema ?? ''}`} autoComplete="off" spellCheck={false} />
        </label>
        <label>
          <span>Password</span>
          <input name="password" type="password" placeholder={current?.hasPassword ? 'Saved' : 'Database password'} autoComplete="off" spellCheck={false} />
        </label>
        <button type="submit" disabled={busy || submitting}>
          {current?.source ? 'Save and sync' : 'Connect and sync'}
        </button>
      </form>
      <p className="muted hint">
        The password never goes in the URL. The app keeps it encrypted with your system’s keychain; in browser mode it stays in memory for
        this session.
      </p>
      <ErrorNote error={error} />
    </section>
  );
}
