import type { SurveyGroupResponses, SurveyResults } from '../../../../shared/messages/model';
import { api } from '../../lib/api';
import { downloadText } from '../../lib/download';
import { formatNumber, percent } from '../../lib/format';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { SampleCaution } from '../../ui/SampleCaution';
import { toast } from '../../ui/toast';
import { toastOnError } from '../../ui/toastOnError';
import { SMALL_SAMPLE } from '../../../../shared/sample-size';
import { SurveyQuestionCard } from './SurveyQuestionCard';

/**
 * A `survey` message's results (issue 18): responses, the response rate and completion as tiles, each
 * with the small-sample caution; responses and completion by segment and by persona; then one card per
 * question (SurveyQuestionCard); and the responses as CSV, written by the backend.
 */
export function SurveyResultsView({ id, survey, shown, search, setSearch, pending }: { id: string; survey: SurveyResults; shown: number; search: string; setSearch(s: string): void; pending: boolean }) {
  const download = async (): Promise<void> => {
    const file = await toastOnError(() => api.messageResponsesCsv({ id }), 'Could not export the responses');
    if (!file) return;
    downloadText(file.filename, file.csv);
    toast('success', `Exported ${formatNumber(file.responses)} response${file.responses === 1 ? '' : 's'} as CSV.`);
  };
  return (
    <div className="survey-results" data-testid="survey-results">
      <dl className="stat-grid survey-stats">
        <div className="stat" data-testid="survey-responses">
          <dt>Responses</dt>
          <dd>{formatNumber(survey.responses)}</dd>
        </div>
        <div className="stat" data-testid="survey-response-rate">
          <dt>Response rate</dt>
          <dd>{survey.responseRate === null ? '—' : percent(survey.responses, shown)}</dd>
        </div>
        <div className="stat" data-testid="survey-completion">
          <dt>Completed</dt>
          <dd>{survey.completionRate === null ? '—' : `${formatNumber(survey.completed)} · ${percent(survey.completed, survey.responses)}`}</dd>
        </div>
        <div className="stat">
          <dt>Languages</dt>
          <dd>{survey.byLocale.length === 0 ? '—' : survey.byLocale.map((l) => `${l.locale || '?'} ${formatNumber(l.responses)}`).join(' · ')}</dd>
        </div>
      </dl>
      <SampleCaution n={survey.responses} kind="rate" unit={survey.responses === 1 ? 'response' : 'responses'} />
      <p className="muted small-text">
        A response is a showing with at least one answer; it is complete when it answered every question it reached, to the end. Partial responses count in every
        question they answered.
      </p>
      <div className="survey-toolbar">
        <button type="button" onClick={() => void download()} disabled={survey.responses === 0} data-testid="download-responses">
          Download responses (CSV)
        </button>
        <label className="inline-label">
          <span className="visually-hidden">Search the written answers</span>
          <input className="search" type="search" placeholder="Search written answers, users, personas" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
      </div>
      {survey.responses === 0 ? (
        <EmptyState
          size="inline"
          title="No responses yet"
          help="Answers arrive with the events the SDK sends back: each answered question at once, so partial responses show too. Sync to bring them in."
        />
      ) : (
        <div className="chart-pair">
          <ResponsesTable title="By segment" rows={survey.bySegment} empty="No saved segment holds any of the respondents." />
          <ResponsesTable title="By persona" rows={survey.byPersona} empty="No workshop persona holds any of the respondents." />
        </div>
      )}
      {survey.questions.map((q, i) => (
        <SurveyQuestionCard key={q.id} question={q} position={i + 1} search={search} pending={pending} />
      ))}
    </div>
  );
}

function ResponsesTable({ title, rows, empty }: { title: string; rows: SurveyGroupResponses[]; empty: string }) {
  const columns: Column<SurveyGroupResponses>[] = [
    { id: 'label', header: title.replace('By ', ''), cell: (r) => r.label },
    { id: 'responses', header: 'Responses', numeric: true, cell: (r) => formatNumber(r.responses) },
    {
      id: 'completed',
      header: 'Completed',
      numeric: true,
      cell: (r) => {
        if (r.responses === 0) return '—';
        const text = percent(r.completed, r.responses);
        return r.responses < SMALL_SAMPLE ? <span title="Fewer than 100 responses: read with care">{text}*</span> : text;
      },
    },
  ];
  const shown = rows.filter((r) => r.responses > 0);
  return (
    <section className="card" aria-label={`Responses ${title.toLowerCase()}`} data-testid={`survey-${title === 'By segment' ? 'segments' : 'personas'}`}>
      <header className="card-header">
        <h3>Responses {title.toLowerCase()}</h3>
      </header>
      <DataTable scroll={false} columns={columns} rows={shown} rowKey={(r) => r.label} empty={<p className="muted">{empty}</p>} />
      {shown.some((r) => r.responses < SMALL_SAMPLE) ? <p className="muted small-text">* From fewer than {SMALL_SAMPLE} responses: read with care.</p> : null}
    </section>
  );
}
