import { useState } from 'react';
import { api, errorMessage, transportKind } from '../../lib/api';
import { formatBytes, formatDateTime, formatUtcInput, parseUtcInstant, utcInstantProblem } from '../../lib/format';
import type { DataAsOfSource } from '../../../../shared/types';
import { useApp, type ThemePreference } from '../../store';
import { ErrorNote } from '../../ui/ErrorNote';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { SegmentedChoice, type Choice } from '../../ui/SegmentedChoice';
import { toast } from '../../ui/toast';

const THEME_CHOICES: Choice<ThemePreference>[] = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

const SOURCE_WORDS: Record<DataAsOfSource, string> = {
  demo: 'the newest event of the demo data',
  import: 'the newest event of the imported files',
  sync: 'the last sync',
  manual: 'set by hand',
};

export function SettingsScreen() {
  const { status, theme, setTheme } = useApp();
  const [asOfDraft, setAsOfDraft] = useState<string>('');
  const [error, setError] = useState<string | null>(null);

  const applyAsOf = async (value: number | null): Promise<void> => {
    try {
      await api.setDataAsOf({ asOf: value });
      setError(null);
      setAsOfDraft('');
      toast('success', value === null ? '“Data as of” follows the data again.' : `Figures are now as of ${formatDateTime(value)}.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const shownAsOf = asOfDraft || (status?.dataAsOf != null ? formatUtcInput(status.dataAsOf, true) : '');

  return (
    <div className="screen narrow">
      <ScreenHeader title="Settings" />
      <section className="card">
        <h3>Appearance</h3>
        <SegmentedChoice<ThemePreference> name="theme" label="Theme" options={THEME_CHOICES} value={theme} onChange={setTheme} />
      </section>
      <section className="card">
        <h3>Data as of</h3>
        <p className="muted">
          Every time-relative figure (“in the last 30 days”) is computed as of this instant. It defaults to the last sync, or to the newest
          event of imported files and the demo.
        </p>
        {status?.dataAsOf != null ? (
          <p data-testid="settings-as-of">
            The data’s date: <strong>{formatDateTime(status.dataAsOf)}</strong>
            {status.dataAsOfSource ? <span className="muted"> ({SOURCE_WORDS[status.dataAsOfSource]})</span> : null}. Figures are computed as of
            this instant, not as of today.
          </p>
        ) : (
          <p className="muted">No data yet.</p>
        )}
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            const ms = parseUtcInstant(shownAsOf);
            if (ms === null) setError(utcInstantProblem(shownAsOf, true));
            else void applyAsOf(ms);
          }}
        >
          <label>
            New instant, UTC (yyyy-mm-dd hh:mm){' '}
            <input
              type="text"
              inputMode="numeric"
              placeholder="2026-06-30 00:00"
              spellCheck={false}
              aria-invalid={error !== null}
              value={shownAsOf}
              onChange={(e) => setAsOfDraft(e.target.value)}
            />
          </label>
          <button type="submit">Apply</button>
          <button type="button" className="ghost" onClick={() => void applyAsOf(null)} disabled={status?.dataAsOfSource !== 'manual'}>
            Reset to the data's own
          </button>
        </form>
        <ErrorNote error={error} />
      </section>
      <section className="card">
        <h3>Local cache</h3>
        <dl className="facts">
          <dt>File</dt>
          <dd><code>{status?.path ?? '…'}</code></dd>
          <dt>Size</dt>
          <dd>{status ? formatBytes(status.sizeBytes) : '…'}</dd>
          <dt>Schema version</dt>
          <dd>{status?.schemaVersion ?? '…'}</dd>
          <dt>Connection</dt>
          <dd>{transportKind === 'ipc' ? 'Desktop app (IPC)' : 'Browser mode (loopback bridge)'}</dd>
        </dl>
      </section>
    </div>
  );
}
