import { useEffect, useMemo, useState } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { MessageBacktest, MessageDraft } from '../../../../shared/messages/model';
import type { JobInfo } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { chartColors, countChartOptions } from '../../lib/charts';
import { formatDate, formatNumber, percent } from '../../lib/format';
import { progressFraction } from '../../lib/jobs';
import { cssVar, useResolvedTheme } from '../../lib/theme';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable, type Column } from '../../ui/DataTable';
import { ProgressBar } from '../../ui/ProgressBar';
import { SampleCaution } from '../../ui/SampleCaution';
import { SegmentedChoice, type Choice } from '../../ui/SegmentedChoice';
import { toast } from '../../ui/toast';
import { useBusyStep } from '../../ui/useBusyStep';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip);

type Weeks = '2' | '4' | '8' | '12';
const WEEK_CHOICES: Choice<Weeks>[] = [
  { value: '2', label: '2 weeks' },
  { value: '4', label: '4 weeks' },
  { value: '8', label: '8 weeks' },
  { value: '12', label: '12 weeks' },
];

type Blocker = MessageBacktest['blocked']['byMessage'][number];

const BLOCKER_COLUMNS: Column<Blocker>[] = [
  { id: 'name', header: 'Blocked by', cell: (b) => b.name, rowHeader: true, className: 'wrap' },
  { id: 'reason', header: 'Why', cell: (b) => (b.reason === 'priority' ? 'Higher priority (one message per place on the page)' : 'Global cooldown after it showed') },
  { id: 'users', header: 'Users', numeric: true, cell: (b) => formatNumber(b.users) },
  { id: 'times', header: 'Times', numeric: true, cell: (b) => formatNumber(b.times) },
];

/**
 * "If this message had been live over the last N weeks": the cache's history replayed through the
 * delivery server's own decide, against the other live messages (src/main/messages/backtest.ts). Run on
 * request (it reads weeks of events); the figures say which draft and window they are for, and are marked
 * out of date once the draft changes.
 */
export function BacktestPanel({ draft, valid }: { draft: MessageDraft; valid: boolean }) {
  const dataVersion = useApp((s) => s.dataVersion);
  const [weeks, setWeeks] = useState<Weeks>('4');
  const [result, setResult] = useState<{ key: string; value: MessageBacktest } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { busy, run } = useBusyStep(setError);
  const key = JSON.stringify([draft, weeks, dataVersion]);
  const started = useElapsed(busy);
  // The backend runs the backtest as a job (kind 'backtest'): its progress arrives with the `job` event.
  const job = useApp((s) => latestBacktestJob(s.jobs));
  const progress = busy && job ? job.progress : null;
  const total = progress?.total ?? null;

  const start = async (): Promise<void> => {
    setError(null);
    const value = await run(() => api.messageBacktest({ message: draft, weeks: Number(weeks) }));
    if (value) setResult({ key, value });
  };

  const value = result?.value;
  const stale = result !== null && result.key !== key;
  return (
    <section className="card backtest" aria-labelledby="msg-backtest-title" data-testid="backtest">
      <header className="card-header">
        <div>
          <h3 id="msg-backtest-title">Backtest</h3>
          <p className="muted">If this message had been live: the history replayed through the delivery server’s own decisions, against the other live messages.</p>
        </div>
      </header>
      <div className="row">
        <SegmentedChoice<Weeks> name="backtest-weeks" label="Weeks of history" options={WEEK_CHOICES} value={weeks} onChange={setWeeks} />
        <span className="spacer" />
        <button type="button" onClick={() => void start()} disabled={busy || !valid}>
          {busy ? 'Replaying…' : value ? 'Run again' : 'Run backtest'}
        </button>
      </div>
      {!valid ? <p className="muted small-text">Fix the marked fields to run a backtest.</p> : null}
      {busy ? (
        <div className="backtest-progress" data-testid="backtest-progress">
          <ProgressBar
            value={progress !== null ? progressFraction(progress) : null}
            label="Backtest running"
            valueText={progress !== null && total !== null ? `Replayed ${formatNumber(progress.done)} of ${formatNumber(total)} users` : `Replaying ${weeks} weeks of history`}
          />
          <div className="row">
            <p className="muted small-text" aria-live="polite">
              Replaying {weeks} weeks of history
              {progress !== null && total !== null ? `: ${formatNumber(progress.done)} of ${formatNumber(total)} users` : ''}
              {started >= 2 ? ` · ${started} s` : ''}…
            </p>
            <span className="spacer" />
            {job ? (
              <button type="button" className="ghost small" aria-label="Cancel the backtest" onClick={() => api.cancelJob({ jobId: job.id }).catch((err: unknown) => toast('error', errorMessage(err)))}>
                Cancel
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
      {error ? <p className="error-text small-text">{error}</p> : null}
      {value ? <BacktestResult value={value} stale={stale} /> : null}
    </section>
  );
}

/** The running backtest job started last (job ids count up), if any. */
function latestBacktestJob(jobs: Record<string, JobInfo>): JobInfo | null {
  let latest: JobInfo | null = null;
  for (const job of Object.values(jobs)) {
    if (job.kind !== 'backtest' || job.state !== 'running') continue;
    if (latest === null || Number(job.id.replace(/\D/g, '')) > Number(latest.id.replace(/\D/g, ''))) latest = job;
  }
  return latest;
}

/** Whole seconds since `running` turned true (0 when it is not). */
function useElapsed(running: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    setSeconds(0);
    if (!running) return;
    const began = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - began) / 1000)), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return seconds;
}

function BacktestResult({ value, stale }: { value: MessageBacktest; stale: boolean }) {
  const goal = value.goal;
  return (
    <div className={stale ? 'backtest-result stale' : 'backtest-result'} data-testid="backtest-result">
      <p className="muted small-text">
        {formatDate(value.from)} to {formatDate(value.to)}, against{' '}
        {value.competitors.length === 0 ? 'no other live message' : value.competitors.map((c) => `“${c.name}” (priority ${c.priority})`).join(', ')}.
        {stale ? ' The message changed since: run it again.' : ''}
      </p>
      <dl className="stat-grid" data-testid="backtest-stats">
        <div className="stat">
          <dt>Impressions</dt>
          <dd>{formatNumber(value.impressions)}</dd>
        </div>
        <div className="stat">
          <dt>Users reached</dt>
          <dd>{formatNumber(value.usersReached)}</dd>
        </div>
        <div className="stat">
          <dt>Blocked, never reached</dt>
          <dd>{formatNumber(value.blocked.users)}</dd>
        </div>
        {goal ? (
          <div className="stat" data-testid="backtest-baseline">
            <dt>Did “{goal.event}” anyway</dt>
            <dd>{percent(goal.converted, goal.reached)}</dd>
          </div>
        ) : null}
      </dl>
      {goal ? (
        <>
          <p className="small-text">
            {formatNumber(goal.converted)} of {formatNumber(goal.reached)} reached users did “{goal.event}” within {goal.withinDays} days of their first impression without any
            message: the baseline the lift will be measured against.
            {goal.windowOpen > 0 ? ` ${formatNumber(goal.windowOpen)} of them are still inside their window.` : ''}
          </p>
          <SampleCaution n={goal.reached} kind="rate" unit="users" />
        </>
      ) : (
        <p className="muted small-text">Set a goal to see how many would have done it anyway.</p>
      )}
      <WeeklyImpressions weeks={value.impressionsPerWeek} />
      <h4>Blocked by other messages</h4>
      <DataTable
        columns={BLOCKER_COLUMNS}
        rows={value.blocked.byMessage}
        rowKey={(b) => `${b.reason}:${b.messageId}`}
        testId="backtest-blocked"
        empty={<p className="muted small-text" data-testid="backtest-blocked">No other message ever stood in its way.</p>}
      />
      {value.blocked.usersEver > 0 ? (
        <p className="muted small-text">
          {formatNumber(value.blocked.usersEver)} users were blocked at least once; {formatNumber(value.blocked.users)} of them were never reached.
        </p>
      ) : null}
      <h4>Personas reached</h4>
      {value.personas.length === 0 ? (
        <p className="muted small-text">No persona of a workshop in this cache was reached.</p>
      ) : (
        <ul className="backtest-personas" data-testid="backtest-personas">
          {value.personas.map((p) => (
            <li key={p.label}>
              {p.label} <span className="muted">· {formatNumber(p.users)} users ({percent(p.users, value.usersReached)})</span>
            </li>
          ))}
        </ul>
      )}
      <ul className="backtest-notes muted small-text">
        {value.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
        <li>
          {formatNumber(value.replayed.users)} users and {formatNumber(value.replayed.requests)} requests replayed in {formatNumber(value.elapsedMs)} ms.
        </li>
      </ul>
    </div>
  );
}

function WeeklyImpressions({ weeks }: { weeks: MessageBacktest['impressionsPerWeek'] }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const data = useMemo(
    () => ({
      labels: weeks.map((w) => formatDate(w.weekStart)),
      datasets: [{ label: 'Impressions', data: weeks.map((w) => w.impressions), backgroundColor: cssVar('--accent') }],
    }),
    // The theme changes the CSS variables the colours come from.
    [weeks, theme],
  );
  const options = useMemo(() => countChartOptions(chartColors(), 12, 'impressions per week', { title: (items: { label: string }[]) => `Week from ${items[0]?.label ?? ''}` }), [theme]);
  return (
    <ChartCard
      title="Impressions per week"
      subtitle="Each week of the replayed window; users: distinct users shown it that week"
      header={['week', 'impressions', 'users']}
      rows={weeks.map((w) => [formatDate(w.weekStart), w.impressions, w.users])}
    >
      <Bar data={data} options={options} role="img" aria-label="Bar chart of the backtest's impressions per week" />
    </ChartCard>
  );
}
