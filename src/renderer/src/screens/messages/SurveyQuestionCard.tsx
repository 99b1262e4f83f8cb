import { useMemo } from 'react';
import { Bar, Line } from 'react-chartjs-2';
import type { SurveyGroupFigure, SurveyMetric, SurveyQuestionResults } from '../../../../shared/messages/model';
import { SMALL_SAMPLE } from '../../../../shared/sample-size';
import { BASE_CHART_OPTIONS, categoryAxis, chartColors, countAxis } from '../../lib/charts';
import { formatDate, formatDateTime, formatNumber, percent } from '../../lib/format';
import { cssVar, useResolvedTheme } from '../../lib/theme';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { SampleCaution } from '../../ui/SampleCaution';
import { answersByScoreOptions } from './chart-options';
import { formatScore } from './model';

const TYPE_LABELS: Record<SurveyQuestionResults['type'], string> = {
  nps: 'NPS (0-10)',
  csat: 'CSAT (1-5)',
  ces: 'Customer effort (1-7)',
  rating: 'Rating',
  single_choice: 'Single choice',
  multi_choice: 'Multiple choice',
  open_text: 'Open question',
};

const METRIC_LABELS: Record<SurveyMetric, string> = { nps: 'NPS', satisfied: 'Satisfied (4-5)', mean: 'Mean score' };

/** A metric as shown: NPS signed, the share satisfied in percent, a mean with one decimal. */
export function formatMetric(metric: SurveyMetric | null, value: number | null): string {
  if (metric === null || value === null) return '—';
  if (metric === 'nps') return formatScore(value);
  if (metric === 'satisfied') return `${Math.round(value * 100)}%`;
  return value.toFixed(1);
}

/** One question's results: its figure, distribution and weekly trend, choice counts, written answers, and the split by segment and persona. */
export function SurveyQuestionCard({ question: q, position, search, pending }: { question: SurveyQuestionResults; position: number; search: string; pending: boolean }) {
  const headingId = `survey-q-${q.id}`;
  return (
    <section className="card survey-result-question" aria-labelledby={headingId} data-testid="survey-question" data-question={q.id}>
      <header className="card-header">
        <div>
          <h3 id={headingId}>
            {position}. {q.text}
          </h3>
          <p className="muted small-text">
            {TYPE_LABELS[q.type]}
            {q.type === 'rating' && q.scale ? ` (1-${q.scale.max})` : ''} · {formatNumber(q.answers)} answer{q.answers === 1 ? '' : 's'}
          </p>
        </div>
        {q.metric ? (
          <div className="stat survey-metric" data-testid="question-metric">
            <span className="muted small-text">{METRIC_LABELS[q.metric]}</span>
            <strong>{formatMetric(q.metric, q.value)}</strong>
          </div>
        ) : null}
      </header>
      {q.answers === 0 ? (
        <EmptyState size="inline" title="No answers to this question yet" help="Its answers show here as they sync, partial responses included." />
      ) : (
        <>
          {q.metric ? <SampleCaution n={q.answers} kind={q.metric === 'nps' ? 'score' : 'rate'} unit={q.answers === 1 ? 'answer' : 'answers'} /> : null}
          {q.scale ? <ScoreCharts question={q} /> : null}
          {q.choices.length > 0 ? <ChoiceCounts question={q} /> : null}
          {q.type === 'open_text' ? null : (
            <div className="chart-pair">
              <GroupTable title="By segment" question={q} rows={q.bySegment} empty="No saved segment holds any of the answerers." />
              <GroupTable title="By persona" question={q} rows={q.byPersona} empty="No workshop persona holds any of the answerers." />
            </div>
          )}
          {q.type === 'open_text' || q.choices.some((c) => c.id === 'other') ? <WrittenAnswers question={q} search={search} pending={pending} /> : null}
        </>
      )}
    </section>
  );
}

function ScoreCharts({ question: q }: { question: SurveyQuestionResults }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const min = q.scale?.min ?? 0;
  const labels = q.distribution.map((_, i) => String(i + min));
  const distribution = useMemo(
    () => ({ labels, datasets: [{ label: 'Answers', data: q.distribution, backgroundColor: cssVar('--accent'), borderRadius: 2, maxBarThickness: 32 }] }),
    // The theme changes the CSS variables the colours come from.
    [q.distribution, theme],
  );
  const trend = useMemo(
    () => ({
      labels: q.weekly.map((w) => formatDate(w.weekStart)),
      datasets: [{ label: METRIC_LABELS[q.metric ?? 'mean'], data: q.weekly.map((w) => (w.value === null ? null : q.metric === 'satisfied' ? w.value * 100 : w.value)), borderColor: cssVar('--accent'), backgroundColor: cssVar('--accent'), spanGaps: true }],
    }),
    [q.weekly, q.metric, theme],
  );
  // The theme changes the CSS variables the colours come from.
  const barOptions = useMemo(() => answersByScoreOptions(), [theme]);
  const lineOptions = useMemo(() => {
    const colors = chartColors();
    const range = q.metric === 'nps' ? { min: -100, max: 100 } : q.metric === 'satisfied' ? { min: 0, max: 100 } : { min: q.scale?.min ?? 1, max: q.scale?.max ?? 10 };
    const unit = q.metric === 'satisfied' ? '% satisfied' : METRIC_LABELS[q.metric ?? 'mean'];
    return {
      ...BASE_CHART_OPTIONS,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx: { parsed: { y: number | null } }) => `${unit} ${ctx.parsed.y === null ? '—' : Math.round(ctx.parsed.y * 10) / 10}` } } },
      scales: { x: categoryAxis(colors, 12), y: { ...range, ticks: { color: colors.text }, grid: { color: colors.grid }, title: { display: true, text: unit, color: colors.text } } },
    };
  }, [theme, q.metric, q.scale]);
  const weeklyValue = (value: number | null): string => (value === null ? '' : q.metric === 'satisfied' ? String(Math.round(value * 100)) : String(Math.round(value * 10) / 10));
  return (
    <div className="chart-pair">
      <ChartCard title="Answers by score" subtitle={`${min} to ${q.scale?.max ?? ''}`} header={['score', 'answers']} rows={q.distribution.map((n, i) => [i + min, n])}>
        <Bar data={distribution} options={barOptions} role="img" aria-label={`Bar chart of answers per score from ${min} to ${q.scale?.max ?? ''}`} />
      </ChartCard>
      <ChartCard
        title={`Weekly ${q.metric === 'satisfied' ? '% satisfied' : METRIC_LABELS[q.metric ?? 'mean'].toLowerCase()}`}
        subtitle="7-day weeks ending at the data’s as-of instant, each labelled by its first day"
        header={['week', 'answers', q.metric === 'satisfied' ? 'satisfied %' : (q.metric ?? 'mean')]}
        rows={q.weekly.map((w) => [formatDate(w.weekStart), w.answers, weeklyValue(w.value)])}
      >
        <Line data={trend} options={lineOptions} role="img" aria-label={`Line chart of the question's ${METRIC_LABELS[q.metric ?? 'mean']} per week`} />
      </ChartCard>
    </div>
  );
}

function ChoiceCounts({ question: q }: { question: SurveyQuestionResults }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const data = useMemo(
    () => ({ labels: q.choices.map((c) => c.label), datasets: [{ label: 'Answers', data: q.choices.map((c) => c.count), backgroundColor: cssVar('--accent'), borderRadius: 2, maxBarThickness: 24 }] }),
    [q.choices, theme],
  );
  const options = useMemo(() => {
    const colors = chartColors();
    return {
      ...BASE_CHART_OPTIONS,
      indexAxis: 'y' as const,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx: { parsed: { x: number | null } }) => `${formatNumber(ctx.parsed.x ?? 0)} answers` } } },
      scales: { y: categoryAxis(colors, 13), x: countAxis(colors, 'answers') },
    };
  }, [theme]);
  return (
    <ChartCard
      title="Answers by choice"
      subtitle={q.type === 'multi_choice' ? 'A person may pick several: the counts add up to more than the answers' : 'One choice per answer'}
      header={['choice', 'answers', 'share']}
      rows={q.choices.map((c) => [c.label, c.count, percent(c.count, q.answers)])}
    >
      <Bar data={data} options={options} role="img" aria-label="Bar chart of answers per choice" />
    </ChartCard>
  );
}

function GroupTable({ title, question: q, rows, empty }: { title: string; question: SurveyQuestionResults; rows: SurveyGroupFigure[]; empty: string }) {
  const columns: Column<SurveyGroupFigure>[] = [
    { id: 'label', header: title.replace('By ', ''), cell: (r) => r.label },
    { id: 'answers', header: 'Answers', numeric: true, cell: (r) => formatNumber(r.answers) },
    ...(q.metric
      ? [
          {
            id: 'value',
            header: METRIC_LABELS[q.metric],
            numeric: true,
            cell: (r: SurveyGroupFigure) => {
              const text = formatMetric(q.metric, r.value);
              return r.answers > 0 && r.answers < SMALL_SAMPLE ? <span title="Fewer than 100 answers: read with care">{text}*</span> : text;
            },
          },
        ]
      : []),
    ...q.choices.map((c, i) => ({ id: `choice-${c.id}`, header: c.label, numeric: true, cell: (r: SurveyGroupFigure) => formatNumber(r.choiceCounts[i] ?? 0) })),
  ];
  const shown = rows.filter((r) => r.answers > 0);
  return (
    <section className="card" aria-label={`Question ${q.id} ${title.toLowerCase()}`}>
      <header className="card-header">
        <h4>{title}</h4>
      </header>
      <DataTable scroll={false} columns={columns} rows={shown} rowKey={(r) => r.label} empty={<p className="muted">{empty}</p>} />
      {q.metric && shown.some((r) => r.answers < SMALL_SAMPLE) ? <p className="muted small-text">* From fewer than {SMALL_SAMPLE} answers: read with care.</p> : null}
    </section>
  );
}

function WrittenAnswers({ question: q, search, pending }: { question: SurveyQuestionResults; search: string; pending: boolean }) {
  return (
    <div className="survey-texts">
      <h4>{q.type === 'open_text' ? 'What people wrote' : 'What people wrote under “other”'}</h4>
      {q.texts.length === 0 ? (
        <p className="muted">{search.trim() ? `No written answer matches “${search.trim()}”.` : 'No written answers yet.'}</p>
      ) : (
        <ul className={pending ? 'comment-list stale' : 'comment-list'} data-testid="survey-texts">
          {q.texts.map((t) => (
            <li key={t.responseId} className="comment" data-testid="survey-text">
              <div className="comment-head">
                <span className="member-id">{t.userId}</span>
                {t.locale ? <span className="badge">{t.locale}</span> : null}
                {t.personas.map((p) => (
                  <span key={p} className="chip">
                    {p}
                  </span>
                ))}
                <span className="spacer" />
                <span className="muted small-text">{formatDateTime(t.ts)}</span>
              </div>
              {/* dir="auto": an Arabic answer reads right to left within a left-to-right list. */}
              <p className="comment-text" dir="auto">
                {t.text}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
