import { useMemo, useState } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';
import type { MessageResults as Results, NpsResults } from '../../../../shared/messages/model';
import { api } from '../../lib/api';
import { BASE_CHART_OPTIONS, categoryAxis, chartColors, countAxis } from '../../lib/charts';
import { formatDate, formatDateTime, formatNumber, percent } from '../../lib/format';
import { cssVar, useResolvedTheme } from '../../lib/theme';
import { useLatest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable, type Column } from '../../ui/DataTable';
import { ErrorNote } from '../../ui/ErrorNote';
import { SMALL_SAMPLE } from '../../../../shared/sample-size';
import { SampleCaution } from '../../ui/SampleCaution';
import { answersByScoreOptions } from './chart-options';
import { categories, formatScore } from './model';
import { SurveyResultsView } from './SurveyResultsView';
import { LiftPanel } from './LiftPanel';

ChartJS.register(BarElement, LineElement, PointElement, CategoryScale, LinearScale, Tooltip);

/**
 * How the message did, from the events synced back: shown and dismissed, clicked and the click-through
 * rate where there is a call to action, a trend per day, for NPS surveys the NPS, and for multi-question
 * surveys every question's results (SurveyResultsView). Every rate and score
 * carries the shared small-sample caution (src/shared/sample-size.ts).
 */
export function MessageResultsView({ id, published, hasCallToAction }: { id: string; published: boolean; hasCallToAction: boolean }) {
  const dataVersion = useApp((s) => s.dataVersion);
  const [search, setSearch] = useState('');
  const key = JSON.stringify([id, search.trim(), dataVersion]);
  const latest = useLatest<Results>(key, () => api.messageResults({ id, ...(search.trim() ? { search: search.trim() } : {}) }), 250);
  const results = latest.result?.value;

  if (latest.error && !results) return <ErrorNote error={latest.error.message} banner />;
  if (!results) return <p className="muted pad">Reading the results…</p>;
  const { shown, dismissed, clicked } = results;
  return (
    <div className="tab-panel msg-results" data-testid="message-results">
      {!published && shown === 0 ? (
        <p className="notice calm">
          <span>Nothing to show yet: results come from the events the SDK sends back, once the message is published and the data synced.</span>
        </p>
      ) : null}
      <dl className="stat-grid" data-testid="result-stats">
        <Stat label="Shown" value={formatNumber(shown)} />
        <Stat label="Dismissed" value={formatNumber(dismissed)} />
        {/* A click-through rate means something only where there is something to click. */}
        {hasCallToAction ? <Stat label="Clicked" value={formatNumber(clicked)} /> : null}
        {hasCallToAction ? <Stat label="Click-through rate" value={percent(clicked, shown)} testId="ctr" /> : null}
        {results.nps ? <Stat label="Answers" value={formatNumber(results.nps.answers)} /> : null}
      </dl>
      {hasCallToAction ? <SampleCaution n={shown} kind="rate" unit={shown === 1 ? 'showing' : 'showings'} /> : null}
      <DailyTrend daily={results.daily} survey={results.nps !== null || results.survey !== null} hasCallToAction={hasCallToAction} />
      <LiftPanel id={id} />
      {results.nps ? <NpsView nps={results.nps} search={search} setSearch={setSearch} pending={latest.pending} /> : null}
      {results.survey ? <SurveyResultsView id={id} survey={results.survey} shown={shown} search={search} setSearch={setSearch} pending={latest.pending} /> : null}
    </div>
  );
}

type Daily = Results['daily'];

/** Shown (and answered or clicked) per day over the last 30 days: every message has a trend. */
function DailyTrend({ daily, survey, hasCallToAction }: { daily: Daily; survey: boolean; hasCallToAction: boolean }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const second = survey ? { key: 'answered' as const, label: 'Answered' } : hasCallToAction ? { key: 'clicked' as const, label: 'Clicked' } : null;
  const data = useMemo(
    () => ({
      labels: daily.map((d) => formatDate(d.dayStart)),
      datasets: [
        { label: 'Shown', data: daily.map((d) => d.shown), borderColor: cssVar('--accent'), backgroundColor: cssVar('--accent'), pointRadius: 2, tension: 0.2 },
        ...(second
          ? [{ label: second.label, data: daily.map((d) => d[second.key]), borderColor: cssVar('--success'), backgroundColor: cssVar('--success'), pointRadius: 2, tension: 0.2 }]
          : []),
      ],
    }),
    // The theme changes the CSS variables the colours come from.
    [daily, theme, second?.key],
  );
  const options = useMemo(() => {
    const colors = chartColors();
    return {
      ...BASE_CHART_OPTIONS,
      plugins: { legend: { display: second !== null, labels: { color: colors.text } }, tooltip: { callbacks: { title: (items: { label: string }[]) => `Day from ${items[0]?.label ?? ''}` } } },
      scales: { x: categoryAxis(colors, 8), y: countAxis(colors, 'per day') },
    };
  }, [theme, second]);
  const header = ['day', 'shown', ...(second ? [second.label.toLowerCase()] : [])];
  return (
    <ChartCard
      title={second ? `Shown and ${second.label.toLowerCase()} per day` : 'Shown per day'}
      subtitle="The last 30 days up to the data’s as-of instant, from the events the SDK sends back"
      header={header}
      rows={daily.map((d) => [formatDate(d.dayStart), d.shown, ...(second ? [d[second.key]] : [])])}
    >
      <Line data={data} options={options} role="img" aria-label="Line chart of the message's showings per day over the last 30 days" />
    </ChartCard>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function NpsView({ nps, search, setSearch, pending }: { nps: NpsResults; search: string; setSearch(s: string): void; pending: boolean }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const { detractors, passives, promoters } = categories(nps.distribution);
  const total = detractors + passives + promoters;

  const distribution = useMemo(() => {
    const colorOf = (score: number): string => cssVar(score >= 9 ? '--success' : score >= 7 ? '--text-muted' : '--danger');
    return {
      labels: nps.distribution.map((_, i) => String(i)),
      datasets: [{ label: 'Answers', data: nps.distribution, backgroundColor: nps.distribution.map((_, i) => colorOf(i)), borderRadius: 2, maxBarThickness: 32 }],
    };
    // The theme changes the CSS variables the colours come from.
  }, [nps.distribution, theme]);
  const trend = useMemo(
    () => ({
      labels: nps.weekly.map((w) => formatDate(w.weekStart)),
      datasets: [{ label: 'NPS', data: nps.weekly.map((w) => w.score), borderColor: cssVar('--accent'), backgroundColor: cssVar('--accent'), spanGaps: true }],
    }),
    // The theme changes the CSS variables the colours come from.
    [nps.weekly, theme],
  );
  // The theme changes the CSS variables the colours come from.
  const barOptions = useMemo(() => answersByScoreOptions(), [theme]);
  const lineOptions = useMemo(() => {
    const colors = chartColors();
    return {
      ...BASE_CHART_OPTIONS,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx: { parsed: { y: number | null } }) => `NPS ${formatScore(ctx.parsed.y)}` } } },
      scales: {
        x: categoryAxis(colors, 12),
        y: { min: -100, max: 100, ticks: { color: colors.text }, grid: { color: colors.grid }, title: { display: true, text: 'NPS (−100 to +100)', color: colors.text } },
      },
    };
  }, [theme]);

  return (
    <>
      <SampleCaution n={nps.answers} kind="score" unit={nps.answers === 1 ? 'answer' : 'answers'} />
      {nps.outsideTarget && nps.outsideTarget.users > 0 ? (
        <p className="notice calm" data-testid="outside-target">
          <span>
            {`${formatNumber(nps.outsideTarget.users)} of the ${formatNumber(nps.outsideTarget.respondents)} people who answered are no longer in “${nps.outsideTarget.target}”. `}
            People leave a segment after they answer (their plan or activity changes, or the answer itself moves them), so the
            message reached them while it was aimed at them. Their answers still count here.
          </span>
        </p>
      ) : null}
      <dl className="stat-grid nps-stats">
        <Stat label="NPS" value={formatScore(nps.score)} testId="nps-score" />
        <Stat label="Promoters (9-10)" value={`${formatNumber(promoters)} · ${percent(promoters, total)}`} testId="nps-promoters" />
        <Stat label="Passives (7-8)" value={`${formatNumber(passives)} · ${percent(passives, total)}`} testId="nps-passives" />
        <Stat label="Detractors (0-6)" value={`${formatNumber(detractors)} · ${percent(detractors, total)}`} testId="nps-detractors" />
      </dl>
      <div className="chart-pair">
        <ChartCard title="Answers by score" subtitle="0-6 detractors, 7-8 passives, 9-10 promoters" header={['score', 'answers']} rows={nps.distribution.map((n, i) => [i, n])}>
          <Bar data={distribution} options={barOptions} role="img" aria-label="Bar chart of answers per score from 0 to 10" />
        </ChartCard>
        <ChartCard
          title="Weekly NPS"
          subtitle="Per week of answers: 7-day weeks ending at the data’s as-of instant, each labelled by its first day"
          header={['week', 'answers', 'nps']}
          rows={nps.weekly.map((w) => [formatDate(w.weekStart), w.answers, w.score === null ? '' : Math.round(w.score)])}
        >
          <Line data={trend} options={lineOptions} role="img" aria-label="Line chart of the NPS per week" />
        </ChartCard>
      </div>
      <div className="chart-pair">
        <ScoreTable title="By segment" rows={nps.bySegment} empty="No saved segment holds any of the respondents." />
        <ScoreTable title="By persona" rows={nps.byPersona} empty="No workshop persona holds any of the respondents." />
      </div>
      <section className="card" aria-labelledby="nps-comments-title">
        <header className="card-header">
          <div>
            <h3 id="nps-comments-title">What people said</h3>
            <p className="muted">Comments with the respondent’s personas: what each persona is saying.</p>
          </div>
          <label className="inline-label">
            <span className="visually-hidden">Search comments</span>
            <input className="search" type="search" placeholder="Search comments, users, personas" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
        </header>
        {nps.comments.length === 0 ? (
          <p className="muted">{search.trim() ? `No comment matches “${search.trim()}”.` : 'No comments yet.'}</p>
        ) : (
          <ul className={pending ? 'comment-list stale' : 'comment-list'} data-testid="nps-comments">
            {nps.comments.map((c) => (
              <li key={`${c.userId}-${c.ts}`} className="comment" data-testid="nps-comment">
                <div className="comment-head">
                  <span className={`badge nps-${c.category}`}>
                    {c.score} · {c.category}
                  </span>
                  <span className="member-id">{c.userId}</span>
                  {c.personas.map((p) => (
                    <span key={p} className="chip">
                      {p}
                    </span>
                  ))}
                  <span className="spacer" />
                  <span className="muted small-text">{formatDateTime(c.ts)}</span>
                </div>
                <p className="comment-text">{c.comment}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

type ScoreRow = NpsResults['bySegment'][number];

/** Half the cell is the negative side: the bar grows from the middle, left for a negative NPS. */
function ScoreBar({ score }: { score: number | null }) {
  const negative = score !== null && score < 0;
  return (
    <span className="score-bar">
      <span className={negative ? 'score-fill neg' : 'score-fill'} style={{ width: `${Math.abs(score ?? 0) / 2}%`, [negative ? 'right' : 'left']: '50%' }} />
    </span>
  );
}

function ScoreTable({ title, rows, empty }: { title: string; rows: ScoreRow[]; empty: string }) {
  const columns: Column<ScoreRow>[] = [
    { id: 'label', header: title.replace('By ', ''), cell: (r) => r.label },
    { id: 'answers', header: 'Answers', numeric: true, cell: (r) => formatNumber(r.answers) },
    {
      id: 'nps',
      header: 'NPS',
      numeric: true,
      cell: (r) => (r.answers > 0 && r.answers < SMALL_SAMPLE ? <span title="Fewer than 100 answers: read with care">{formatScore(r.score)}*</span> : formatScore(r.score)),
    },
    { id: 'bar', header: '', decorative: true, className: 'score-bar-cell', cell: (r) => <ScoreBar score={r.score} /> },
  ];
  return (
    <section className="card" aria-label={`NPS ${title.toLowerCase()}`}>
      <header className="card-header">
        <h3>NPS {title.toLowerCase()}</h3>
      </header>
      <DataTable scroll={false} columns={columns} rows={rows} rowKey={(r) => r.label} empty={<p className="muted">{empty}</p>} />
      {rows.some((r) => r.answers > 0 && r.answers < SMALL_SAMPLE) ? (
        <p className="muted small-text" data-testid="small-sample-key">
          * From fewer than {SMALL_SAMPLE} answers: the score could be off by 20 points or more. Read it with care.
        </p>
      ) : null}
    </section>
  );
}
