import { useState } from 'react';
import { api, errorMessage, transportKind } from '../../lib/api';
import { formatBytes, formatDateTime } from '../../lib/format';
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

/** ISO instant <-> the value of a datetime-local input, both in UTC (the cache's days are UTC days). */
const toInput = (ms: number): string => new Date(ms).toISOString().slice(0, 16);
const fromInput = (value: string): number => Date.parse(`${value}:00.000Z`);

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
          <p>
            Now: <strong>{formatDateTime(status.dataAsOf)}</strong> <span className="muted">({status.dataAsOfSource})</span>
          </p>
        ) : (
          <p className="muted">No data yet.</p>
        )}
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            const ms = fromInput(asOfDraft);
            if (Number.isNaN(ms)) setError('Pick a date and time first.');
            else void applyAsOf(ms);
          }}
        >
          <label>
            New instant (UTC){' '}
            <input
              type="datetime-local"
              value={asOfDraft || (status?.dataAsOf != null ? toInput(status.dataAsOf) : '')}
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
