import { useEffect, useId, useMemo, useState } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';
import type { SegmentComparison } from '../../../../shared/types';
import { api } from '../../lib/api';
import { sampleCaution } from '../../../../shared/sample-size';
import { formatDate, formatDateTime, formatNumber, percent } from '../../lib/format';
import '../../ui/sample-caution.css';
import { cssVar, useResolvedTheme } from '../../lib/theme';
import { useLatest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { EventNameInput, EventNameList } from './EventNameInput';
import { useSegments } from './store';

ChartJS.register(BarElement, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

const MAX = 5;
const DEFAULT_GOAL = 'upgrade_clicked';
const WINDOWS = [7, 14, 30, 60, 90];
const WEEK_MS = 7 * 86_400_000;
const COMPARE_DELAY_MS = 300;

/** Each segment keeps the colour it was given when picked, in the table and in both charts. */
const seriesColour = (slot: number): string => cssVar(`--series-${slot + 1}`);

/** Do these segments behave differently? Size, conversion to a goal event and weekly activity, side by side. */
export function CompareView({ preselect }: { preselect?: string[] }) {
  const segments = useSegments((s) => s.segments);
  const catalog = useSegments((s) => s.catalog);
  const showList = useSegments((s) => s.showList);
  const dataVersion = useApp((s) => s.dataVersion);
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const [slots, setSlots] = useState<Record<string, number>>({});
  const [picked, setPicked] = useState<string[]>([]);
  const [goal, setGoal] = useState(DEFAULT_GOAL);
  const [windowDays, setWindowDays] = useState(30);
  const [seeded, setSeeded] = useState(false);
  const goalList = useId();

  const toggle = (id: string): void => {
    if (picked.includes(id)) {
      setPicked(picked.filter((x) => x !== id));
      const next = { ...slots };
      delete next[id];
      setSlots(next);
    } else if (picked.length < MAX) {
      const used = new Set(Object.values(slots));
      const slot = [0, 1, 2, 3, 4].find((n) => !used.has(n)) ?? 0;
      setPicked([...picked, id]);
      setSlots({ ...slots, [id]: slot });
    }
  };

  // Start with the segments asked for, or the first two, so the page answers at once.
  useEffect(() => {
    if (seeded || !segments) return;
    const ids = (preselect && preselect.length > 0 ? preselect : segments.slice(0, 2).map((s) => s.id)).filter((id) => segments.some((s) => s.id === id)).slice(0, MAX);
    setPicked(ids);
    setSlots(Object.fromEntries(ids.map((id, i) => [id, i])));
    setSeeded(true);
  }, [segments, preselect, seeded]);

  const goalEvent = goal.trim();
  const ready = picked.length >= 2 && goalEvent !== '';
  const key = ready ? JSON.stringify([picked, goalEvent, windowDays, dataVersion]) : null;
  const args = { segmentIds: picked, goalEvent, windowDays };
  const comparison = useLatest<SegmentComparison>(key, () => api.compareSegments(args), COMPARE_DELAY_MS);
  const result = comparison.result?.value ?? null;
  // The answer's rows follow the ids it was asked for.
  const answeredIds = useMemo(() => (comparison.result ? (JSON.parse(comparison.result.key) as [string[]])[0] : []), [comparison.result]);
  const colourOf = (i: number): string => seriesColour(slots[answeredIds[i] ?? ''] ?? i);
  const unknownGoal = catalog !== null && goalEvent !== '' && !catalog.some((e) => e.name === goalEvent);

  const barData = useMemo(() => {
    if (!result) return null;
    return {
      labels: result.rows.map((r) => r.label),
      datasets: [
        {
          label: 'Conversion',
          data: result.rows.map((r) => r.conversion * 100),
          backgroundColor: result.rows.map((_, i) => colourOf(i)),
          borderRadius: 4,
          maxBarThickness: 56,
        },
      ],
    };
    // Colours come from the theme's variables, so the theme is a dependency too.
  }, [result, theme, slots, answeredIds]);

  const weekLabels = result ? result.rows[0]?.weeklyActive.map((_, k) => formatDate(result.asOf - k * WEEK_MS)).reverse() ?? [] : [];
  const lineData = useMemo(() => {
    if (!result) return null;
    return {
      labels: weekLabels,
      datasets: result.rows.map((r, i) => ({
        label: r.label,
        data: [...r.weeklyActive].reverse().map((v) => v * 100),
        borderColor: colourOf(i),
        backgroundColor: colourOf(i),
        pointRadius: 3,
        tension: 0.25,
      })),
    };
  }, [result, theme, slots, answeredIds]);

  const axes = useMemo(() => {
    const grid = cssVar('--border');
    const text = cssVar('--text-muted');
    return { grid, text };
  }, [theme]);

  const pctAxis = (title: string) => ({
    beginAtZero: true,
    ticks: { color: axes.text, callback: (v: string | number) => `${Number(v)}%` },
    grid: { color: axes.grid },
    title: { display: true, text: title, color: axes.text },
  });

  return (
    <div className="screen" data-testid="compare-view">
      <header className="screen-header">
        <div>
          <button type="button" className="link back" onClick={showList}>
            ← Segments
          </button>
          <h1>Compare segments</h1>
          <p className="muted">Do these segments behave differently? Pick two to five and a goal event.</p>
        </div>
      </header>
      <section className="card compare-controls" aria-label="What to compare">
        <fieldset className="segment-picks">
          <legend>
            Segments <span className="muted">({picked.length} of at most {MAX})</span>
          </legend>
          {(segments ?? []).length < 2 ? <p className="muted">Save at least two segments to compare them.</p> : null}
          <ul>
            {(segments ?? []).map((s) => {
              const on = picked.includes(s.id);
              return (
                <li key={s.id}>
                  <label className={on ? 'pick on' : 'pick'}>
                    <input type="checkbox" checked={on} disabled={!on && picked.length >= MAX} onChange={() => toggle(s.id)} />
                    <span className="swatch" aria-hidden="true" style={on ? { background: seriesColour(slots[s.id] ?? 0) } : undefined} />
                    {s.name}
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
        <div className="compare-goal">
          <EventNameInput label="Goal event" list={goalList} value={goal} onChange={setGoal} />
          <EventNameList id={goalList} />
          <label>
            Converted within
            <select value={windowDays} onChange={(e) => setWindowDays(Number(e.target.value))}>
              {WINDOWS.map((d) => (
                <option key={d} value={d}>{`the last ${d} days`}</option>
              ))}
            </select>
          </label>
          {unknownGoal ? <p className="note-text small-text">No “{goalEvent}” event in the cache yet: no one will have converted.</p> : null}
        </div>
      </section>

      {!ready ? (
        picked.length < 2 ? (
          <EmptyState size="inline" title="Pick at least two segments" help="Compare shows, side by side, how many of each segment reached the goal event." />
        ) : (
          <EmptyState size="inline" title="Name the goal event" help="The event that counts as converting, such as an upgrade: each segment's share that did it is compared." />
        )
      ) : comparison.error?.key === key ? (
        <ErrorNote error={comparison.error.message} banner />
      ) : result === null ? (
        <p className="muted pad">Comparing…</p>
      ) : (
        <div className={comparison.pending ? 'compare-results stale' : 'compare-results'} aria-busy={comparison.pending}>
          <section className="card" aria-labelledby="compare-table-title">
            <header className="card-header">
              <div>
                <h3 id="compare-table-title">Side by side</h3>
                <p className="muted">
                  Converted: did {result.goalEvent} in the {result.windowDays} days up to {formatDateTime(result.asOf)} · share of{' '}
                  {formatNumber(result.total)} users
                </p>
              </div>
            </header>
            <DataTable
              className="compare-table"
              testId="compare-table"
              rows={result.rows}
              rowKey={(r, i) => `${r.label}-${i}`}
              columns={[
                {
                  id: 'segment',
                  header: 'Segment',
                  rowHeader: true,
                  cell: (r, i) => (
                    <>
                      <span className="swatch" aria-hidden="true" style={{ background: colourOf(i) }} />
                      {r.label}
                    </>
                  ),
                },
                { id: 'size', header: 'Size', numeric: true, cell: (r) => formatNumber(r.size) },
                { id: 'share', header: 'Share', numeric: true, cell: (r) => percent(r.size, result.total) },
                { id: 'converted', header: 'Converted', numeric: true, cell: (r) => formatNumber(r.converted) },
                {
                  id: 'conversion',
                  header: 'Conversion',
                  numeric: true,
                  // The shared small-sample rule: a rate from fewer than SMALL_SAMPLE members is marked.
                  cell: (r) =>
                    sampleCaution(r.size, 'rate', 'members') ? (
                      <strong title={sampleCaution(r.size, 'rate', 'members')?.text}>{percent(r.converted, r.size)}*</strong>
                    ) : (
                      <strong>{percent(r.converted, r.size)}</strong>
                    ),
                },
              ]}
            />
            {result.rows
              .filter((r) => sampleCaution(r.size, 'rate', 'members'))
              .map((r) => (
                <p key={r.label} className="sample-caution small-text" data-testid="sample-caution" role="note">
                  <span aria-hidden="true">* </span>
                  {`${r.label}: ${sampleCaution(r.size, 'rate', 'members')?.text ?? ''}`}
                </p>
              ))}
          </section>
          <div className="chart-pair">
            <ChartCard
              title={`Conversion to ${result.goalEvent}`}
              subtitle={`Members who did it in the last ${result.windowDays} days`}
              header={['segment', 'size', 'converted', 'conversion %']}
              rows={result.rows.map((r) => [r.label, r.size, r.converted, Number((r.conversion * 100).toFixed(2))])}
            >
              {barData ? (
                <Bar
                  data={barData}
                  role="img"
                  aria-label={`Bar chart of conversion to ${result.goalEvent} per segment`}
                  options={{
                    responsive: true,
                    maintainAspectRatio: false,
                    animation: false,
                    plugins: {
                      legend: { display: false },
                      tooltip: {
                        callbacks: {
                          label: (ctx) => {
                            const r = result.rows[ctx.dataIndex];
                            return r ? `${percent(r.converted, r.size)} (${formatNumber(r.converted)} of ${formatNumber(r.size)})` : '';
                          },
                        },
                      },
                    },
                    scales: { x: { ticks: { color: axes.text }, grid: { display: false } }, y: pctAxis('converted') },
                  }}
                />
              ) : null}
            </ChartCard>
            <ChartCard
              title="Weekly active"
              subtitle="Share of members with any event in each week"
              header={['week ending', ...result.rows.map((r) => `${r.label} active %`)]}
              rows={weekLabels.map((label, w) => [
                label,
                ...result.rows.map((r) => Number(((r.weeklyActive[r.weeklyActive.length - 1 - w] ?? 0) * 100).toFixed(2))),
              ])}
            >
              {lineData ? (
                <Line
                  data={lineData}
                  role="img"
                  aria-label="Line chart of the weekly active share per segment"
                  options={{
                    responsive: true,
                    maintainAspectRatio: false,
                    animation: false,
                    interaction: { mode: 'index', intersect: false },
                    plugins: {
                      legend: { position: 'bottom', labels: { color: axes.text, boxWidth: 12, boxHeight: 12 } },
                      tooltip: {
                        callbacks: {
                          title: (items) => `Week ending ${items[0]?.label ?? ''}`,
                          label: (ctx) => `${ctx.dataset.label ?? ''}: ${(ctx.parsed.y ?? 0).toFixed(1)}%`,
                        },
                      },
                    },
                    scales: { x: { ticks: { color: axes.text, maxTicksLimit: 8 }, grid: { display: false } }, y: pctAxis('active') },
                  }}
                />
              ) : null}
            </ChartCard>
          </div>
        </div>
      )}
    </div>
  );
}
