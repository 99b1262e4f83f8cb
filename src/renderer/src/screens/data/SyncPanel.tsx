import { originOf } from '../../../../shared/secure-url';
import { SourceCard, clearField } from './SourceCard';
import { deliverySync, useSourceSync } from './useSourceSync';

/**
 * Connects a delivery server and syncs from it. The token goes straight from the password field to
 * the backend, which holds it in memory for this run: the renderer keeps no copy.
 */
export function SyncPanel({ autoFocus = false }: { autoFocus?: boolean }) {
  const { state, busy, submitting, error, setFormError, start } = useSourceSync(deliverySync.load, deliverySync.start);
  const sync = state.data;

  const submit = async (form: HTMLFormElement): Promise<void> => {
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
    // The held token belongs to the server it was entered for (the backend drops it for another origin).
    if (token === '' && sync?.source && originOf(source) !== originOf(sync.source)) {
      setFormError(`Enter the token for ${originOf(source) ?? source}: the one held was entered for ${originOf(sync.source) ?? sync.source}.`);
      return;
    }
    if (await start({ source, ...(token ? { token } : {}) })) clearField(form, 'token');
  };

  return (
    <SourceCard
      testId="sync-panel"
      title="Sync from a delivery server"
      description="Pulls new events from your Guidepost delivery server, page by page, picking up where the last sync stopped. Everything keeps working offline in between."
      canSyncNow={sync?.source != null && sync.hasToken}
      disabled={busy || submitting}
      onSyncNow={() => void start({})}
      source={sync?.source ? <code>{sync.source}</code> : null}
      sourceTestId="sync-source"
      lastSyncAt={sync ? sync.lastSyncAt : undefined}
      lastTestId="sync-last"
      facts={
        sync?.source ? (
          <>
            <dt>Token</dt>
            <dd>{sync.hasToken ? 'Held in memory for this session' : <span className="muted">Not held: enter it again to sync</span>}</dd>
          </>
        ) : null
      }
      formLabel="Connect a source"
      onSubmit={(form) => void submit(form)}
      fields={
        <>
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
            <input name="token" type="password" placeholder={sync?.hasToken ? 'Held in memory' : 'Export token'} autoComplete="off" spellCheck={false} />
          </label>
        </>
      }
      hint="The token stays in memory for this session only: it is never written to disk."
      error={error}
    />
  );
}
