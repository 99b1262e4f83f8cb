import { useMemo, useRef, useState } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { Persona, Workshop } from '../../../../shared/workshop/model';
import { withThreshold } from '../../../../shared/workshop/persona-rule';
import type { HistogramBin, PersonaUsage, ThresholdSize, WorkshopUsage } from '../../../../shared/workshop/usage';
import { api } from '../../lib/api';
import { alignedRange, BASE_CHART_OPTIONS, categoryAxis, categoryBoundary, chartColors, countAxis, thresholdLinePlugin, type CategoryArea, type ThresholdLine } from '../../lib/charts';
import { DAY_MS } from '../../../../shared/segments/values';
import { formatDateTime, formatElapsed, formatNumber, percent } from '../../lib/format';
import { UtcDateInput } from '../../ui/UtcDateInput';
import { cssVar, useResolvedTheme, withAlpha } from '../../lib/theme';
import { useLatest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { personaColorVar, personaColourIndex } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { NoPersonasYet, SheetCard } from './SheetParts';
import { useWorkshops } from './store';
import { useUsage } from './useUsage';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip);

/** How often the live size is asked for while the threshold moves (one request at a time, newest wins). */
const THRESHOLD_DELAY_MS = 80;

export function binLabel(b: HistogramBin): string {
  if (b.to === null) return `${formatNumber(b.from)}+`;
  return b.to - b.from <= 1 ? formatNumber(b.from) : `${formatNumber(b.from)}–${formatNumber(b.to - 1)}`;
}

/** A day counts whole: the figures are as of its last millisecond. */
const endOfDay = (dayStart: number): number => dayStart + DAY_MS - 1;

/** The workshop's instant: a date, or the cache's own "data as of". */
function AsOfControl({ w, usage }: { w: Workshop; usage: WorkshopUsage | null }) {
  const update = useWorkshops((s) => s.update);
  return (
    <div className="row as-of-row">
      <label className="inline-label">
        Compute as of
        <UtcDateInput
          optional
          value={w.asOf}
          onChange={(ms) => update((d) => ({ ...d, asOf: ms === null ? null : endOfDay(ms) }))}
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

export function SizesChart({ w, usage }: { w: Workshop; usage: WorkshopUsage }) {
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

/** A rule the slider changed, kept so the card can say so and Undo can put it back. */
export interface RuleChange {
  /** The persona's threshold and rule before the first move since the note appeared. */
  before: Pick<Persona, 'threshold' | 'rule'>;
  /** Its size then (step 3's figure, which step 4's impact is computed from). */
  beforeUsers: number;
}

/** The range input's thumb, in pixels (workshops.css draws it this size, so the slider lines up with the bars). */
const THUMB_PX = 16;

interface ThresholdCardProps {
  w: Workshop;
  p: Persona;
  pu: PersonaUsage;
  index: number;
  /** Presenting: the chart and its line only, no slider. */
  readOnly?: boolean;
  change?: RuleChange | null;
  onChange?(change: RuleChange | null): void;
}

/**
 * One persona's key-action distribution with the threshold line drawn on it and, under the bars, the
 * slider the facilitator moves (lined up so its thumb sits on the line); the size follows live. A moved
 * threshold rewrites the persona's rule, so the card says so, with Undo.
 */
export function ThresholdCard({ w, p, pu, index, readOnly = false, change = null, onChange }: ThresholdCardProps) {
  const update = useWorkshops((s) => s.update);
  const theme = useApp((s) => s.theme);
  useResolvedTheme(theme);
  const [dragging, setDragging] = useState<number | null>(null);
  const [area, setArea] = useState<CategoryArea | null>(null);
  const shown = dragging ?? p.threshold;
  const liveKey = shown !== pu.threshold ? `${w.id}:${p.id}:${shown}` : null;
  const live = useLatest<ThresholdSize>(liveKey, () => api.personaThresholdSize({ id: w.id, personaId: p.id, threshold: shown }), THRESHOLD_DELAY_MS);

  const lastBin = pu.histogram[pu.histogram.length - 1];
  const min = Math.min(1, shown);
  const max = Math.max(10, lastBin?.from ?? 0, shown);
  const count = liveKey === null ? pu.users : (live.result?.value.count ?? null);
  const stale = liveKey !== null && live.result?.key !== liveKey;

  const commit = (): void => {
    if (dragging === null) return;
    const value = dragging;
    setDragging(null);
    if (value === p.threshold) return;
    // The first move since the note appeared is what Undo goes back to.
    if (!change) onChange?.({ before: { threshold: p.threshold, rule: p.rule }, beforeUsers: pu.users });
    update((d) => ({ ...d, personas: d.personas.map((x) => (x.id === p.id ? withThreshold(x, value) : x)) }));
  };
  const undo = (): void => {
    if (!change) return;
    const { before } = change;
    update((d) => ({ ...d, personas: d.personas.map((x) => (x.id === p.id ? { ...x, ...before } : x)) }));
    onChange?.(null);
  };

  const colour = cssVar(personaColorVar(index));
  const muted = cssVar('--text-muted');
  const ink = cssVar('--text');
  const colors = chartColors();
  // Most of an install base never does a given action in the window: drawn, that bar would flatten
  // every other one to nothing. It is named in the subtitle and kept in the table instead.
  const drawn = pu.histogram.filter((b) => b.from >= 1);
  const never = pu.histogram.filter((b) => b.from < 1).reduce((sum, b) => sum + b.users, 0);
  // The first drawn bar is the count 1, so "at least v" stands before bar v - 1.
  const firstValue = drawn[0]?.from ?? 1;
  const lineIndex = Math.min(Math.max(0, shown - firstValue), drawn.length);
  const lineRef = useRef<ThresholdLine | null>(null);
  lineRef.current = { index: lineIndex, color: ink || '#333333', label: `≥ ${formatNumber(shown)}` };
  const plugins = useMemo(
    () => [thresholdLinePlugin(() => lineRef.current, (next) => setArea((a) => (a && a.left === next.left && a.right === next.right && a.count === next.count ? a : next)))],
    [],
  );
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
  const placed = area ? alignedRange(area, min, max, firstValue, THUMB_PX) : null;

  return (
    <ChartCard
      title={`${p.name}: how often ${pu.keyAction ?? 'the key action'} happens`}
      subtitle={`Key-action count per user in the last ${p.windowDays} days, over the whole install base; ${formatNumber(never)} users with none are not drawn`}
      header={['count', 'users', 'in the persona at this threshold']}
      rows={pu.histogram.map((b) => [binLabel(b), b.users, b.from >= shown ? 'yes' : 'no'])}
    >
      <div className="threshold-chart">
        <div className="chart-fill threshold-bars" data-testid="threshold-bars" data-line-x={area ? categoryBoundary(area, lineIndex) : undefined}>
          <Bar data={data} options={options} plugins={plugins} role="img" aria-label={`Histogram of ${pu.keyAction ?? 'key action'} counts for ${p.name}, threshold at ${shown}`} />
        </div>
        {readOnly ? (
          <p className="threshold-size" data-testid="threshold-size">
            <span className="swatch" aria-hidden="true" style={{ background: colour }} />
            <strong>{sizeText}</strong>
          </p>
        ) : (
          <div className="threshold-control">
            <input
              id={`threshold-${p.id}`}
              className="threshold-range"
              type="range"
              min={min}
              max={max}
              step={1}
              value={shown}
              style={placed ? { marginLeft: placed.left, width: placed.width } : undefined}
              aria-valuetext={`at least ${shown} times`}
              onChange={(e) => setDragging(Number(e.target.value))}
              onPointerUp={commit}
              onKeyUp={commit}
              onBlur={commit}
            />
            <div className="threshold-size-row">
              <label htmlFor={`threshold-${p.id}`} className="field-label">
                Threshold for {p.name}
              </label>
              <p className={stale ? 'threshold-size stale' : 'threshold-size'} aria-live="polite" data-testid="threshold-size">
                <span className="swatch" aria-hidden="true" style={{ background: colour }} />
                <strong>{sizeText}</strong>
                {count !== null ? (
                  <span className="muted"> ({liveKey === null ? percent(pu.shareOfBase, 1) : percent(count, live.result?.value.total ?? 0)} of the base)</span>
                ) : null}
              </p>
            </div>
            {live.error?.key === liveKey && liveKey !== null ? (
              <p className="error-text small-text" role="alert">
                {live.error.message}
              </p>
            ) : null}
            {change ? <RuleChangeNote p={p} change={change} users={count} onUndo={undo} onDismiss={() => onChange?.(null)} /> : null}
          </div>
        )}
      </div>
    </ChartCard>
  );
}

/** "The rule is now …, was …": what the slider rewrote, the size it moved from, and Undo. */
function RuleChangeNote({ p, change, users, onUndo, onDismiss }: { p: Persona; change: RuleChange; users: number | null; onUndo(): void; onDismiss(): void }) {
  const sizes = users === null ? '' : ` Its size: ${formatNumber(change.beforeUsers)} → ${formatNumber(users)} users; step 4’s impact follows.`;
  return (
    <div className="notice rule-change" role="status" data-testid="rule-change">
      <p>
        <strong>The rule for {p.name} changed</strong> (threshold {formatNumber(change.before.threshold)} → {formatNumber(p.threshold)}): {describeRule(p.rule)}.{sizes}
      </p>
      <div className="card-actions">
        <button type="button" className="small" onClick={onUndo}>
          Undo
        </button>
        <button type="button" className="small ghost" onClick={onDismiss} aria-label={`Dismiss the note about the rule for ${p.name}`}>
          ×
        </button>
      </div>
    </div>
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
  // Per persona: the rule the slider last changed, for the card's note and Undo (kept while figures recompute).
  const [changes, setChanges] = useState<Record<string, RuleChange | null>>({});
  return (
    <div className="worksheet" aria-busy={usage.pending}>
      <AsOfControl w={w} usage={value} />
      {w.personas.length === 0 ? <NoPersonasYet w={w} help="Add personas in step 1 and map their behaviors in step 2: this step then counts them in your events." /> : null}
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
            return (
              <ThresholdCard
                key={pu.personaId}
                w={w}
                p={p}
                pu={pu}
                index={index}
                change={changes[p.id] ?? null}
                onChange={(change) => setChanges((c) => ({ ...c, [p.id]: change }))}
              />
            );
          })}
          <OverlapCard w={w} usage={value} />
        </div>
      )}
    </div>
  );
}
