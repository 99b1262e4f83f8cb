import { useMemo, useState } from 'react';
import { CategoryScale, Chart as ChartJS, Filler, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { Line } from 'react-chartjs-2';
import { isEstimated, sampleNote } from '../../../../shared/estimate';
import type { Rule } from '../../../../shared/segments/rule';
import type { SegmentPreview, SegmentTrendPoint } from '../../../../shared/types';
import { api } from '../../lib/api';
import { downloadText, fileSlug } from '../../lib/download';
import { approximateCount, formatDate, formatDateTime, formatNumber, percent, valueText } from '../../lib/format';
import { chartColors, countChartOptions } from '../../lib/charts';
import { cssVar, useResolvedTheme, withAlpha } from '../../lib/theme';
import { useLatest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { ErrorNote } from '../../ui/ErrorNote';
import { toast } from '../../ui/toast';
import { useBusyStep } from '../../ui/useBusyStep';
import { membersCsv } from './model';
import { otherTraits, UserTimelinePanel } from '../data';

ChartJS.register(LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Filler);

const PREVIEW_DELAY_MS = 250;
const TREND_DELAY_MS = 600;
const TREND_WEEKS = 12;
const SAMPLE_SIZE = 10;

/** What a rule's answers are keyed by: the rule itself, and the version of the data. */
function useRuleKey(rule: Rule | null): string | null {
  const dataVersion = useApp((s) => s.dataVersion);
  return rule ? `${dataVersion}:${JSON.stringify(rule)}` : null;
}

/** Why the figures shown are for an earlier rule than the one on screen. */
export type Staleness = 'unfinished' | 'invalid' | null;

const STALE_NOTES: Record<'unfinished' | 'invalid', string> = {
  unfinished: 'Showing the last complete rule: finish the condition to update.',
  invalid: 'Showing the last valid rule: fix the rule to update.',
};

/**
 * How many users the rule holds right now, and a few of them. `rule` is the last rule that could be
 * counted; `stale` says the one on screen has moved on (being typed, or with something to fix), and the
 * figures stay, dimmed, instead of vanishing.
 */
export function LivePanel({ rule, hasErrors, stale = null, name = '' }: { rule: Rule | null; hasErrors: boolean; stale?: Staleness; name?: string }) {
  const key = useRuleKey(rule);
  const [exportError, setExportError] = useState<string | null>(null);
  const { busy: exporting, run: runExport } = useBusyStep(setExportError);
  const exportMembers = async (): Promise<void> => {
    if (!rule) return;
    const result = await runExport(() => api.segmentMembers({ rule, limit: 1_000_000 }));
    if (!result) return;
    setExportError(null);
    downloadText(`${fileSlug(name, 'segment')}-members.csv`, membersCsv(result.members));
    toast('success', `Exported ${formatNumber(result.members.length)} ${result.members.length === 1 ? 'member' : 'members'}.`);
  };
  const preview = useLatest<SegmentPreview>(key, () => api.previewSegment({ rule, sample: SAMPLE_SIZE }), PREVIEW_DELAY_MS);
  const [member, setMember] = useState<string | null>(null);

  const value = preview.result?.value ?? null;
  const state = key === null ? 'invalid' : stale ? 'stale' : preview.pending ? 'loading' : preview.error?.key === key ? 'error' : 'ready';
  const dim = state === 'loading' || state === 'stale';

  return (
    <>
      <section className="card live-size" aria-labelledby="live-size-title" aria-busy={state === 'loading'} data-testid="live-size" data-state={state}>
        <header className="card-header">
          <h3 id="live-size-title">Live size</h3>
          {state === 'loading' ? <span className="spinner" aria-label="Counting…" /> : null}
          {state === 'stale' ? (
            <span className="badge stale-badge" data-testid="live-stale">
              {stale === 'unfinished' ? 'Updating…' : 'Out of date'}
            </span>
          ) : null}
        </header>
        {stale ? <p className="muted small-text">{STALE_NOTES[stale]}</p> : null}
        {key === null ? (
          <p className="muted">{hasErrors ? 'Fix the rule to see who is in it.' : 'Finish the condition to see who is in it.'}</p>
        ) : value === null ? (
          state === 'error' ? null : (
            <p className="muted">Counting…</p>
          )
        ) : (
          <div className={dim ? 'size-figures stale' : 'size-figures'}>
            <div className="size-count">
              <strong data-testid="live-count">{approximateCount(value.estimate)}</strong>
              {isEstimated(value.estimate) ? (
                <span className="muted" data-testid="live-interval" title="95 % interval">
                  ({formatNumber(value.estimate.ci95[0])}–{formatNumber(value.estimate.ci95[1])})
                </span>
              ) : null}
              <span className="muted">users</span>
            </div>
            <div className="size-share">
              <span data-testid="live-share">{percent(value.count, value.total)}</span>
              <span className="muted"> of {approximateCount(value.totalEstimate)} users</span>
            </div>
            {isEstimated(value.estimate) ? (
              <p className="muted small-text" data-testid="live-sample-note">
                {sampleNote(value.estimate.sampled).replace(/^e/, 'E')}: the interval holds the whole data’s count 95 times in 100.
              </p>
            ) : null}
            <div className="share-bar" aria-hidden="true">
              <span style={{ width: `${value.total === 0 ? 0 : Math.max(0.5, (value.count / value.total) * 100)}%` }} />
            </div>
            <p className="muted as-of">As of {formatDateTime(value.asOf)}</p>
          </div>
        )}
        <ErrorNote error={preview.error?.key === key ? preview.error.message : null} />
        {value && value.warnings.length > 0 && state !== 'invalid' ? (
          <ul className="gentle-notes" aria-label="Notes about the rule">
            {value.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </section>
      {value && key !== null ? (
        <section className="card" aria-labelledby="sample-title">
          <header className="card-header">
            <div>
              <h3 id="sample-title">A few members</h3>
              <p className="muted">Most recently active first</p>
            </div>
            <button
              type="button"
              className="ghost small"
              disabled={exporting || stale !== null || value.count === 0}
              title={stale !== null ? 'Finish the rule to export its members' : 'Every member’s user id, as a CSV file'}
              onClick={() => void exportMembers()}
            >
              {exporting ? 'Exporting…' : 'Export CSV'}
            </button>
          </header>
          <ErrorNote error={exportError} />
          {value.sample.length === 0 ? (
            <p className="muted">No one matches this rule right now.</p>
          ) : (
            <ul className={dim ? 'member-list stale' : 'member-list'} data-testid="sample-members">
              {value.sample.map((u) => {
                const plan = u.traits.plan;
                const others = otherTraits(u.traits);
                return (
                  <li key={u.id}>
                    <button type="button" className="member" onClick={() => setMember(u.id)} title="Open their timeline">
                      <span className="member-id">
                        <code>{u.id}</code>
                        {plan !== undefined && plan !== null ? <span className="badge">{valueText(plan)}</span> : null}
                        {u.traits.role !== undefined ? <span className="muted small-text">{valueText(u.traits.role)}</span> : null}
                      </span>
                      <span className="muted member-traits">
                        {[u.traits.company !== undefined ? valueText(u.traits.company) : '', others].filter(Boolean).join(' · ')}
                      </span>
                      <span className="muted member-seen">{u.lastSeen !== null ? `last seen ${formatDate(u.lastSeen)}` : ''}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          {member !== null ? <UserTimelinePanel userId={member} onClose={() => setMember(null)} /> : null}
        </section>
      ) : null}
    </>
  );
}

/** The rule's size at the end of each of the last 12 weeks (asked for after a longer pause than the size). */
export function SegmentTrend({ rule, stale = false }: { rule: Rule | null; stale?: boolean }) {
  const key = useRuleKey(rule);
  const trend = useLatest<SegmentTrendPoint[]>(key, () => api.segmentTrend({ rule, weeks: TREND_WEEKS }), TREND_DELAY_MS);
  if (key === null) return null;
  return <TrendCard points={trend.result?.value ?? null} stale={stale || trend.pending} error={trend.error?.key === key ? trend.error.message : null} />;
}

function TrendCard({ points, stale, error }: { points: SegmentTrendPoint[] | null; stale: boolean; error: string | null }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  // A sampled cache's points are scaled (each point's estimate); the table and the note say so.
  const sampled = points?.find((p) => isEstimated(p.estimate))?.estimate.sampled ?? null;
  const rows = (points ?? []).map((p) => [
    formatDate(p.asOf),
    sampled === null ? p.count : approximateCount(p.estimate),
    sampled === null ? p.total : `≈ ${formatNumber(Math.round(p.total / sampled))}`,
    percent(p.count, p.total),
  ]);
  const data = useMemo(() => {
    const accent = cssVar('--accent');
    return {
      labels: (points ?? []).map((p) => formatDate(p.asOf)),
      datasets: [
        {
          label: 'Members',
          data: (points ?? []).map((p) => p.estimate.count),
          borderColor: accent,
          backgroundColor: withAlpha(accent, 0.12),
          fill: true,
          pointRadius: 3,
          pointBackgroundColor: accent,
          tension: 0.25,
        },
      ],
    };
    // The theme changes the CSS variables the colours come from.
  }, [points, theme]);
  const options = useMemo(
    () =>
      countChartOptions(chartColors(), 6, 'users', {
        title: (items: { label: string }[]) => `Week ending ${items[0]?.label ?? ''}`,
        label: (ctx: { parsed: { y: number | null }; dataIndex: number }) => {
          const p = points?.[ctx.dataIndex];
          return `${p ? approximateCount(p.estimate) : formatNumber(ctx.parsed.y ?? 0)} users${p ? ` (${percent(p.count, p.total)})` : ''}`;
        },
      }),
    [theme, points],
  );
  return (
    <ChartCard
      title="Size over 12 weeks"
      subtitle={`Members at the end of each week, up to the data's as-of date${sampled !== null ? `, ${sampleNote(sampled)}` : ''}`}
      header={['week ending', 'members', 'users', 'share']}
      rows={rows}
    >
      {error ? (
        <ErrorNote error={error} />
      ) : points === null ? (
        <p className="muted chart-wait">Drawing the trend…</p>
      ) : (
        <div className={stale ? 'chart-fill stale' : 'chart-fill'}>
          <Line data={data} options={options} aria-label="Line chart of the segment's size over the last 12 weeks" role="img" />
        </div>
      )}
    </ChartCard>
  );
}
