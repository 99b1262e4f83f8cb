/**
 * A survey's responses as a table, then CSV (issue 18, item 4): one row per response, as of asOf, with
 * its id, the user, the locale shown, when it started (first answer) and closed (survey_closed, empty
 * while none came), whether it is complete (survey-results.ts decides), the user's personas, and one
 * column per question: the score, the chosen choice ids (";"-separated, in the order sent) or the text.
 * A question offering "other" has one more column, "<question id>.other", with the free text.
 *
 * Written with the workshop export's CSV writer (RFC 4180, UTF-8 with a byte-order mark, spreadsheet
 * formula guard), so every CSV the app writes opens the same way.
 */
import type { SurveyContent } from '../../shared/messages/model';
import { MESSAGE_ID_PATTERN } from '../../shared/messages/model';
import { toCsv } from '../../shared/csv';
import { ApiError } from '../../shared/errors';
import type { MessageDeps } from './audience';
import { resultGroups } from './result-groups';
import { loadSurvey } from './survey-results';

export const RESPONSE_COLUMNS = ['response_id', 'user_id', 'locale', 'started_at', 'closed_at', 'completed', 'personas'] as const;

/** Separates choice ids and persona names within one cell. */
export const LIST_SEPARATOR = '; ';

export interface ResponsesTable {
  columns: string[];
  rows: string[][];
}

export function surveyResponsesTable(deps: MessageDeps, messageId: string, content: SurveyContent | null): ResponsesTable {
  if (!MESSAGE_ID_PATTERN.test(messageId)) throw new ApiError('invalid_argument', `“${messageId}” is not a message id.`);
  const { questions, responses } = loadSurvey(deps, messageId, content);
  const groups = resultGroups(deps, new Set(responses.map((r) => r.userId)));
  const columns: string[] = [...RESPONSE_COLUMNS];
  for (const q of questions) {
    columns.push(q.id);
    if (q.other) columns.push(`${q.id}.other`);
  }
  const rows = responses.map((r) => {
    const row = [
      r.responseId,
      r.userId,
      r.locale,
      new Date(r.startedAt).toISOString(),
      r.closedAt === null ? '' : new Date(r.closedAt).toISOString(),
      r.completed ? 'true' : 'false',
      groups.personasOfUser(r.userId).join(LIST_SEPARATOR),
    ];
    for (const q of questions) {
      const answer = r.answers.get(q.id);
      if (answer?.score !== undefined) row.push(String(answer.score));
      else if (answer?.choices !== undefined) row.push(answer.choices.join(LIST_SEPARATOR));
      else row.push(q.type === 'open_text' ? (answer?.text ?? '') : '');
      if (q.other) row.push(answer?.choices !== undefined ? (answer.text ?? '') : '');
    }
    return row;
  });
  return { columns, rows };
}

/** The responses CSV and a file name for it: "<message id>-responses.csv". */
export function surveyResponsesCsv(deps: MessageDeps, messageId: string, content: SurveyContent | null): { filename: string; csv: string; responses: number } {
  const table = surveyResponsesTable(deps, messageId, content);
  return { filename: `${messageId.replace(/[^A-Za-z0-9._-]/g, '-')}-responses.csv`, csv: toCsv(table), responses: table.rows.length };
}
