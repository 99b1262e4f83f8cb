import { useState } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { Persona, Workshop } from '../../../../shared/workshop/model';
import { withThreshold } from '../../../../shared/workshop/persona-rule';
import type { HistogramBin, PersonaUsage, ThresholdSize, WorkshopUsage } from '../../../../shared/workshop/usage';
import { api } from '../../lib/api';
import { BASE_CHART_OPTIONS, categoryAxis, chartColors, countAxis } from '../../lib/charts';
import { formatDate, formatDateTime, formatElapsed, formatNumber, percent } from '../../lib/format';
import { cssVar, useResolvedTheme, withAlpha } from '../../lib/theme';
import { useLatest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { personaColorVar, personaColourIndex } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { SheetCard } from './SheetParts';
import { useWorkshops } from './store';
import { useUsage } from './useUsage';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip);

/** How often the live size is asked for while the threshold moves (one request at a time, newest wins). */
const THRESHOLD_DELAY_MS = 80;

export function binLabel(b: HistogramBin): string {
  if (b.to === null) return `${formatNumber(b.from)}+`;
  return b.to - b.from <= 1 ? formatNumber(b.from) : `${formatNumber(b.from)}–${formatNumber(b.to - 1)}`;
}

/** The workshop's instant: a date, or the cache's own "data as of". */
function AsOfControl({ w, usage }: { w: Workshop; usage: WorkshopUsage | null }) {
  const update = useWorkshops((s) => s.update);
  return (
    <div className="row as-of-row">
      <label className="inline-label">
        Compute as of
        <input
          type="date"
          value={w.asOf !== null ? formatDate(w.asOf) : ''}
          onChange={(e) => {
            const day = e.target.value;
            const ms = day ? Date.parse(`${day}T23:59:59.999Z`) : NaN;
            update((d) => ({ ...d, asOf: Number.isNaN(ms) ? null : ms }));
          }}
        />
      </label>
      {w.asOf !== null ? (
        <button type="button" className="small" onClick={() => update((d) => ({ ...d, asOf: null }))}>
          Follow the cache
        </button>
      ) : (
        <span className="muted small-text">Following the cache’s “data as of”.</span>
      )}
      {usage ? (
        <span className="muted small-text" data-testid="usage-as-of">
          Figures as of {formatDateTime(usage.asOf)} · {formatNumber(usage.total)} users in the install base · {formatElapsed(usage.computeMs)}
        </span>
      ) : null}
    </div>
  );
}

/** The persona's name with its colour, and why its figures failed if they did. */
function PersonaName({ w, pu }: { w: Workshop; pu: PersonaUsage }) {
  return (
    <>
      <PersonaSwatch index={personaColourIndex(w, pu.personaId)} />
      {pu.name}
      {pu.error ? <span className="error-text small-text persona-error">{pu.error}</span> : null}
    </>
  );
}

/** A count with its share in brackets: "120 (40%)". */
function CountWithShare({ count, share }: { count: number; share: number }) {
  return (
    <>
      {formatNumber(count)} <span className="muted">({Math.round(share * 100)}%)</span>
    </>
  );
}

function usageColumns(w: Workshop, usage: WorkshopUsage): Column<PersonaUsage>[] {
  return [
    { id: 'persona', header: 'Persona', rowHeader: true, cell: (pu) => <PersonaName w={w} pu={pu} /> },
    { id: 'users', header: 'Users', numeric: true, cell: (pu) => formatNumber(pu.users) },
    { id: 'share', header: '% of base', numeric: true, cell: (pu) => percent(pu.users, usage.total) },
    { id: 'activation', header: 'Activation', numeric: true, cell: (pu) => <CountWithShare count={pu.activated} share={pu.activationRate} /> },
    { id: 'regular', header: 'Regular', numeric: true, cell: (pu) => <CountWithShare count={pu.regular} share={pu.regularShare} /> },
    { id: 'days', header: 'Active days / week', numeric: true, cell: (pu) => pu.medianActiveDaysPerWeek.toFixed(1) },
    {
      id: 'frequency',
      header: 'Casual / frequent',
      numeric: true,
      cellProps: (pu) => ({
        title: `Frequent: at least ${pu.frequentTarget.perWeek} × ${pu.keyAction ?? 'key action'} a week in ${pu.frequentTarget.weeks} of the last ${pu.frequentTarget.of} weeks`,
      }),
      cell: (pu) => `${formatNumber(pu.casual)} / ${formatNumber(pu.frequent)}`,
    },
    {
      id: 'actions',
      header: 'Actions: median per active week',
      className: 'wrap small-text',
      cell: (pu) => (pu.actions.length === 0 ? '—' : pu.actions.map((a) => `${a.event}: ${a.medianPerActiveWeek} (${formatNumber(a.users)} users)`).join(' · ')),
    },
  ];
}

function UsageTable({ w, usage }: { w: Workshop; usage: WorkshopUsage }) {
  return (
    <SheetCard
      titleId="usage-table-title"
      title="Personas in the data"
      subtitle={`Activation: the key action within ${w.usage.activationDays} days of first seen. Regular: active in ${w.usage.regularWeeks} of the last ${w.usage.regularOf} weeks.`}
    >
      <DataTable testId="usage-table" columns={usageColumns(w, usage)} rows={usage.personas} rowKey={(pu) => pu.personaId} />
    </SheetCard>
  );
}

function SizesChart({ w, usage }: { w: Workshop; usage: WorkshopUsage }) {
  const theme = useApp((s) => s.theme);
  useResolvedTheme(theme);
  const colors = chartColors();
  const data = {
    labels: usage.personas.map((p) => p.name),
    datasets: [
      {
        label: 'Users',
        data: usage.personas.map((p) => p.users),
        backgroundColor: usage.personas.map((p) => cssVar(personaColorVar(personaColourIndex(w, p.personaId)))),
        borderRadius: 4,
      },
    ],
  };
  const options = {
    ...BASE_CHART_OPTIONS,
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { label: (ctx: { parsed: { y: number | null } }) => `${formatNumber(ctx.parsed.y ?? 0)} users (${percent(ctx.parsed.y ?? 0, usage.total)})` } },
    },
    scales: { x: categoryAxis(colors, 20), y: countAxis(colors, 'users') },
  };
  return (
    <ChartCard
      title="Persona sizes"
      subtitle={`Users per persona, of ${formatNumber(usage.total)} in the install base`}
      header={['persona', 'users', 'share of base']}
      rows={usage.personas.map((p) => [p.name, p.users, percent(p.users, usage.total)])}
    >
      <Bar data={data} options={options} role="img" aria-label="Bar chart of the personas' sizes" />
    </ChartCard>
  );
}

/** One persona's key-action distribution with the threshold the facilitator moves; the size follows live. */
function ThresholdCard({ w, p, pu, index }: { w: Workshop; p: Persona; pu: PersonaUsage; index: number }) {
  const update = useWorkshops((s) => s.update);
  const theme = useApp((s) => s.theme);
  useResolvedTheme(theme);
  const [dragging, setDragging] = useState<number | null>(null);
  const shown = dragging ?? p.threshold;
  const liveKey = shown !== pu.threshold ? `${w.id}:${p.id}:${shown}` : null;
  const live = useLatest<ThresholdSize>(liveKey, () => api.personaThresholdSize({ id: w.id, personaId: p.id, threshold: shown }), THRESHOLD_DELAY_MS);

  const lastBin = pu.histogram[pu.histogram.length - 1];
  const max = Math.max(10, lastBin?.from ?? 0, shown);
  const count = liveKey === null ? pu.users : (live.result?.value.count ?? null);
  const stale = liveKey !== null && live.result?.key !== liveKey;

  const commit = (): void => {
    if (dragging === null) return;
    const value = dragging;
    setDragging(null);
    if (value !== p.threshold) update((d) => ({ ...d, personas: d.personas.map((x) => (x.id === p.id ? withThreshold(x, value) : x)) }));
  };

  const colour = cssVar(personaColorVar(index));
  const muted = cssVar('--text-muted');
  const colors = chartColors();
  // Most of an install base never does a given action in the window: drawn, that bar would flatten
  // every other one to nothing. It is named in the subtitle and kept in the table instead.
  const drawn = pu.histogram.filter((b) => b.from >= 1);
  const never = pu.histogram.filter((b) => b.from < 1).reduce((sum, b) => sum + b.users, 0);
  const data = {
    labels: drawn.map(binLabel),
    datasets: [
      {
        label: 'Users',
        data: drawn.map((b) => b.users),
        backgroundColor: drawn.map((b) =>
          b.from >= shown ? colour : b.to !== null && b.to > shown ? withAlpha(colour, 0.55) : withAlpha(muted || '#888888', 0.3),
        ),
        borderRadius: 3,
      },
    ],
  };
  const options = {
    ...BASE_CHART_OPTIONS,
    plugins: {
      legend: { display: false },
      tooltip: {
        callbacks: {
          title: (items: { label: string }[]) => `${items[0]?.label ?? ''} × ${pu.keyAction ?? ''}`,
          label: (ctx: { parsed: { y: number | null } }) => `${formatNumber(ctx.parsed.y ?? 0)} users`,
        },
      },
    },
    scales: { x: categoryAxis(colors, 24), y: countAxis(colors, 'users') },
  };

  const sizeText =
    count === null ? 'Counting…' : `≥ ${formatNumber(shown)} ${pu.keyAction ?? ''}: ${formatNumber(count)} users`;

  return (
    <ChartCard
      title={`${p.name}: how often ${pu.keyAction ?? 'the key action'} happens`}
      subtitle={`Key-action count per user in the last ${p.windowDays} days, over the whole install base; ${formatNumber(never)} users with none are not drawn`}
      header={['count', 'users', 'in the persona at this threshold']}
      rows={pu.histogram.map((b) => [binLabel(b), b.users, b.from >= shown ? 'yes' : 'no'])}
    >
      <div className="threshold-chart">
        <div className="chart-fill threshold-bars">
          <Bar data={data} options={options} role="img" aria-label={`Histogram of ${pu.keyAction ?? 'key action'} counts for ${p.name}`} />
        </div>
        <div className="threshold-control">
          <label htmlFor={`threshold-${p.id}`} className="field-label">
            Threshold for {p.name}
          </label>
          <input
            id={`threshold-${p.id}`}
            type="range"
            min={0}
            max={max}
            step={1}
            value={shown}
            aria-valuetext={`at least ${shown} times`}
            onChange={(e) => setDragging(Number(e.target.value))}
            onPointerUp={commit}
            onKeyUp={commit}
            onBlur={commit}
          />
          <p className={stale ? 'threshold-size stale' : 'threshold-size'} aria-live="polite" data-testid="threshold-size">
            <span className="swatch" aria-hidden="true" style={{ background: colour }} />
            <strong>{sizeText}</strong>
            {count !== null ? (
              <span className="muted"> ({liveKey === null ? percent(pu.shareOfBase, 1) : percent(count, live.result?.value.total ?? 0)} of the base)</span>
            ) : null}
          </p>
          {live.error?.key === liveKey && liveKey !== null ? (
            <p className="error-text small-text" role="alert">
              {live.error.message}
            </p>
          ) : null}
        </div>
      </div>
    </ChartCard>
  );
}

/** A persona's row in the overlap matrix: its place, to read its counts against every other persona. */
interface OverlapRow {
  pu: PersonaUsage;
  index: number;
}

function overlapColumns(w: Workshop, usage: WorkshopUsage): Column<OverlapRow>[] {
  return [
    {
      id: 'persona',
      header: <span className="visually-hidden">Persona</span>,
      rowHeader: true,
      cell: ({ pu }) => (
        <>
          <PersonaSwatch index={personaColourIndex(w, pu.personaId)} />
          {pu.name}
        </>
      ),
    },
    ...usage.personas.map(
      (q, j): Column<OverlapRow> => ({
        id: `with-${q.personaId}`,
        header: q.name,
        numeric: true,
        cellProps: ({ index: i }) => {
          const n = usage.overlap[i]?.[j] ?? 0;
          return { className: i === j ? 'num diagonal' : n > 0 ? 'num overlapping' : 'num muted' };
        },
        cell: ({ index: i }) => formatNumber(usage.overlap[i]?.[j] ?? 0),
      }),
    ),
  ];
}

function OverlapCard({ w, usage }: { w: Workshop; usage: WorkshopUsage }) {
  if (usage.personas.length === 0) return null;
  return (
    <SheetCard titleId="persona-overlap-title" title="Overlap between personas" subtitle="Users in both; the diagonal is each persona’s size.">
      <DataTable
        className="matrix"
        testId="persona-overlap"
        columns={overlapColumns(w, usage)}
        rows={usage.personas.map((pu, index) => ({ pu, index }))}
        rowKey={({ pu }) => pu.personaId}
      />
      <p className="in-none" data-testid="in-none">
        <strong>{formatNumber(usage.inNone)}</strong> users in none of the personas ({percent(usage.inNone, usage.total)} of the base)
      </p>
    </SheetCard>
  );
}

/** Step 3: the hypotheses run against the cache, with thresholds to move and overlaps to read. */
export function UsageSheet({ w }: { w: Workshop }) {
  const usage = useUsage();
  const value = usage.result?.value ?? null;
  const saveState = useWorkshops((s) => s.saveState);
  const stale = usage.pending || saveState !== 'saved';
  return (
    <div className="worksheet" aria-busy={usage.pending}>
      <AsOfControl w={w} usage={value} />
      {w.personas.length === 0 ? <p className="inline-empty muted">Add personas in step 1 and map their behaviors in step 2 first.</p> : null}
      <ErrorNote error={usage.error && usage.error.key === usage.key ? `Could not compute the figures: ${usage.error.message}` : null} banner />
      {value === null ? (
        usage.error ? null : <p className="muted">Computing the figures…</p>
      ) : (
        <div className={stale ? 'usage-results stale-soft' : 'usage-results'}>
          <UsageTable w={w} usage={value} />
          {value.personas.length > 0 ? <SizesChart w={w} usage={value} /> : null}
          {value.personas.map((pu) => {
            const index = w.personas.findIndex((p) => p.id === pu.personaId);
            const p = w.personas[index];
            if (!p) return null;
            if (pu.keyAction === null || pu.histogram.length === 0) {
              return (
                <p key={pu.personaId} className="inline-empty muted">
                  {p.name}: map a key action in step 2 to see its distribution.
                </p>
              );
            }
            return <ThresholdCard key={pu.personaId} w={w} p={p} pu={pu} index={index} />;
          })}
          <OverlapCard w={w} usage={value} />
        </div>
      )}
    </div>
  );
}
