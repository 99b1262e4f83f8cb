import { SourceCard, clearField } from './SourceCard';
import { useSourceSync, warehouseSync } from './useSourceSync';

/**
 * Adds a PostgreSQL warehouse (Segment's or RudderStack's PostgreSQL destination) as a source and syncs
 * its schema. The password goes from its field straight to the backend: in the app the main process
 * saves it encrypted in its token vault first, in browser mode the backend holds it in memory. The
 * URL must not carry it; the renderer keeps no copy.
 */
export function WarehouseSyncPanel() {
  const { state, busy, submitting, error, setFormError, start } = useSourceSync(warehouseSync.load, warehouseSync.start);
  const current = state.data;

  const submit = async (form: HTMLFormElement): Promise<void> => {
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
    if (await start({ source, schema, ...(password ? { password } : {}) })) clearField(form, 'password');
  };

  return (
    <SourceCard
      testId="warehouse-panel"
      title="Sync from a PostgreSQL warehouse"
      description="Reads the tables Segment or RudderStack load into PostgreSQL (tracks, per-event tables, pages, screens, identifies, users, groups, accounts, aliases): only what is new since the last sync, plus a lookback window for rows loaded late."
      canSyncNow={current?.source != null}
      disabled={busy || submitting}
      onSyncNow={() => void start({})}
      source={
        current?.source ? (
          <code>
            {current.source} · {current.schema}
          </code>
        ) : null
      }
      sourceTestId="warehouse-source"
      lastSyncAt={current ? current.lastSyncAt : undefined}
      lastTestId="warehouse-last"
      facts={
        current?.source ? (
          <>
            <dt>Password</dt>
            <dd data-testid="warehouse-password">{current.hasPassword ? 'Saved' : <span className="muted">None saved (a pgpass file may give it)</span>}</dd>
          </>
        ) : null
      }
      formLabel="Connect a PostgreSQL warehouse"
      onSubmit={(form) => void submit(form)}
      fields={
        <>
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
        </>
      }
      hint="The password never goes in the URL. The app keeps it encrypted with your system’s keychain; in browser mode it stays in memory for this session."
      error={error}
      labels={{ syncNow: 'Sync the warehouse now', connect: 'Connect the warehouse and sync', save: 'Save the warehouse and sync' }}
    />
  );
}
