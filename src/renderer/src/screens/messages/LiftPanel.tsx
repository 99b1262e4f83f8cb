import { useMemo } from 'react';
import { CategoryScale, Chart as ChartJS, LinearScale, LineElement, PointElement, Tooltip, Legend } from 'chart.js';
import { Line } from 'react-chartjs-2';
import { ESTIMATED_CONTROL_LABEL, type LiftSplit, type MessageLiftResults } from '../../../../shared/messages/lift-results';
import { api } from '../../lib/api';
import { BASE_CHART_OPTIONS, categoryAxis, chartColors } from '../../lib/charts';
import { formatDateTime, formatNumber } from '../../lib/format';
import { cssVar, useResolvedTheme } from '../../lib/theme';
import { useLatest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';

ChartJS.register(LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** A rate as a percentage with one decimal; a dash for an empty group. */
const rateText = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);
/** A difference of rates in percentage points, signed. */
const pointsText = (fraction: number): string => `${fraction > 0 ? '+' : fraction < 0 ? '−' : ''}${Math.abs(fraction * 100).toFixed(1)}`;

/**
 * The lift of a message with a goal (issue 19): the exposed and holdout groups recorded by decide, their
 * conversions within the goal's window, the absolute lift with its 95% interval (Newcombe's hybrid
 * score method) and the relative lift as a point, in one plain sentence; the cumulative conversion
 * curves of both groups; and the same per persona and segment. Nothing for a message without a goal.
 */
export function LiftPanel({ id }: { id: string }) {
  const dataVersion = useApp((s) => s.dataVersion);
  const latest = useLatest<MessageLiftResults>(JSON.stringify([id, dataVersion]), () => api.messageLift({ id }), 250);
  const lift = latest.result?.value;
  if (latest.error && !lift) return <ErrorNote error={latest.error.message} banner />;
  if (!lift || lift.goal === null) return null;
  const { exposed, holdout } = lift;
  const estimated = lift.control === 'estimated';
  return (
    <section className="card lift-panel" aria-labelledby="lift-title" data-testid="lift-panel">
      <header className="card-header">
        <div>
          <h3 id="lift-title">Lift on “{lift.goal.event}”</h3>
          <p className="muted">
            Users assigned by the delivery server, each counted from their assignment whether or not the message then showed; a
            conversion is “{lift.goal.event}” within {lift.windowDays} {lift.windowDays === 1 ? 'day' : 'days'}. Holdout {lift.holdoutPercent}%.
            As of {formatDateTime(lift.asOf)}.
          </p>
          {estimated ? (
            <p className="lift-estimated" data-testid="lift-estimated">
              Control group {ESTIMATED_CONTROL_LABEL}: users a replay of the history finds would have seen it but who were never assigned.
            </p>
          ) : null}
        </div>
      </header>
      <dl className="stat-grid" data-testid="lift-stats">
        <div className="stat">
          <dt>Exposed</dt>
          <dd data-testid="lift-exposed">{`${rateText(exposed.rate)} of ${formatNumber(exposed.users)}`}</dd>
        </div>
        <div className="stat">
          <dt>{estimated ? 'Control (estimated)' : 'Holdout'}</dt>
          <dd data-testid="lift-holdout">{`${rateText(holdout.rate)} of ${formatNumber(holdout.users)}`}</dd>
        </div>
        <div className="stat">
          <dt>Lift (points, 95% CI)</dt>
          <dd data-testid="lift-absolute">
            {lift.lift.absolute === null || lift.lift.ci95 === null
              ? '–'
              : `${pointsText(lift.lift.absolute)} (${pointsText(lift.lift.ci95[0])} to ${pointsText(lift.lift.ci95[1])})`}
          </dd>
        </div>
        <div className="stat">
          <dt>Relative lift</dt>
          <dd data-testid="lift-relative">{lift.lift.relative === null ? '–' : `${pointsText(lift.lift.relative)}%`}</dd>
        </div>
      </dl>
      {lift.sentence ? (
        <p className="lift-sentence" data-testid="lift-sentence">
          {lift.sentence}
        </p>
      ) : null}
      {lift.caution ? (
        <p className="notice calm" data-testid="lift-caution">
          <span>{lift.caution}</span>
        </p>
      ) : null}
      <LiftCurves lift={lift} />
      <div className="chart-pair">
        <SplitTable title="By persona" control={estimated ? 'Control (estimated)' : 'Holdout'} rows={lift.byPersona} empty="No workshop persona holds any of the assigned users." />
        <SplitTable title="By segment" control={estimated ? 'Control (estimated)' : 'Holdout'} rows={lift.bySegment} empty="No saved segment holds any of the assigned users." />
      </div>
    </section>
  );
}

/** Cumulative conversion of both groups by day since assignment. */
function LiftCurves({ lift }: { lift: MessageLiftResults }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const data = useMemo(
    () => ({
      labels: lift.curve.map((p) => String(p.day)),
      datasets: [
        { label: 'Exposed', data: lift.curve.map((p) => (p.exposed === null ? null : p.exposed * 100)), borderColor: cssVar('--accent'), backgroundColor: cssVar('--accent'), pointRadius: 2, spanGaps: true },
        { label: lift.control === 'estimated' ? 'Control (estimated)' : 'Holdout', data: lift.curve.map((p) => (p.holdout === null ? null : p.holdout * 100)), borderColor: cssVar('--text-muted'), backgroundColor: cssVar('--text-muted'), borderDash: [6, 4], pointRadius: 2, spanGaps: true },
      ],
    }),
    // The theme changes the CSS variables the colours come from.
    [lift.curve, lift.control, theme],
  );
  const options = useMemo(() => {
    const colors = chartColors();
    return {
      ...BASE_CHART_OPTIONS,
      plugins: {
        legend: { display: true, labels: { color: colors.text } },
        tooltip: { callbacks: { title: (items: { label: string }[]) => `Within ${items[0]?.label ?? ''} days`, label: (ctx: { dataset: { label?: string }; parsed: { y: number | null } }) => `${ctx.dataset.label ?? ''}: ${ctx.parsed.y === null ? '–' : `${ctx.parsed.y.toFixed(1)}%`}` } },
      },
      scales: {
        x: { ...categoryAxis(colors, 15), title: { display: true, text: 'days since assignment', color: colors.text } },
        y: { beginAtZero: true, ticks: { color: colors.text, callback: (v: string | number) => `${v}%` }, grid: { color: colors.grid }, title: { display: true, text: 'converted (cumulative)', color: colors.text } },
      },
    };
  }, [theme]);
  if (lift.curve.every((p) => p.exposed === null && p.holdout === null)) {
    return (
      <p className="muted" data-testid="lift-curve-empty">
        Conversion since assignment: no user has been assigned for a full day yet, so the curves start tomorrow.
      </p>
    );
  }
  return (
    <ChartCard
      title="Conversion since assignment"
      subtitle="Each day counts the users assigned at least that many days before the data’s as-of instant"
      header={['days', 'exposed %', lift.control === 'estimated' ? 'control (estimated) %' : 'holdout %']}
      rows={lift.curve.map((p) => [p.day, p.exposed === null ? '' : Number((p.exposed * 100).toFixed(2)), p.holdout === null ? '' : Number((p.holdout * 100).toFixed(2))])}
    >
      <Line data={data} options={options} role="img" aria-label="Line chart of the cumulative conversion of the exposed and holdout groups by day since assignment" />
    </ChartCard>
  );
}

function SplitTable({ title, control, rows, empty }: { title: string; control: string; rows: LiftSplit[]; empty: string }) {
  const columns: Column<LiftSplit>[] = [
    { id: 'label', header: title.replace('By ', ''), cell: (r) => r.label },
    { id: 'exposed', header: 'Exposed', numeric: true, cell: (r) => `${rateText(r.exposed.rate)} of ${formatNumber(r.exposed.users)}` },
    { id: 'holdout', header: control, numeric: true, cell: (r) => `${rateText(r.holdout.rate)} of ${formatNumber(r.holdout.users)}` },
    {
      id: 'lift',
      header: 'Lift (95% CI)',
      numeric: true,
      cell: (r) => (r.lift.absolute === null || r.lift.ci95 === null ? '–' : `${pointsText(r.lift.absolute)} (${pointsText(r.lift.ci95[0])} to ${pointsText(r.lift.ci95[1])})`),
    },
  ];
  const shown = rows.filter((r) => r.exposed.users + r.holdout.users > 0);
  return (
    <section className="card" aria-label={`Lift ${title.toLowerCase()}`}>
      <header className="card-header">
        <h3>Lift {title.toLowerCase()}</h3>
      </header>
      <DataTable scroll={false} columns={columns} rows={shown} rowKey={(r) => r.label} empty={<p className="muted">{empty}</p>} />
    </section>
  );
}
