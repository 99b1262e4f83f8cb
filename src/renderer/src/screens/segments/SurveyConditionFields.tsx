import { useId } from 'react';
import type { MessageRecord } from '../../../../shared/messages/model';
import { api } from '../../lib/api';
import { useApiQuery } from '../../ui/useApiQuery';
import type { EditSurvey } from './model';

/**
 * A survey condition's fields (issue 18): the survey message and the question, suggested from the
 * cache's `survey` messages (an id typed by hand still works: a survey published from elsewhere), then
 * a score range or a choice, and an optional window in days.
 */
export function SurveyConditionFields({ condition: c, focus, onChange }: { condition: EditSurvey; focus: boolean; onChange(change: Partial<EditSurvey>): void }) {
  const messagesId = useId();
  const questionsId = useId();
  const choicesId = useId();
  const surveys = useApiQuery<MessageRecord[]>(() => api.listMessages({}), []);
  const records = (surveys.data ?? []).filter((r) => r.message.kind === 'survey' && r.message.survey);
  const questions = records.find((r) => r.message.id === c.message.trim())?.message.survey?.questions ?? [];
  const question = questions.find((q) => q.id === c.question.trim());
  const choices = question && (question.type === 'single_choice' || question.type === 'multi_choice') ? [...question.choices, ...(question.other ? [{ id: 'other', label: question.other.label }] : [])] : [];
  return (
    <div className="fields">
      <span>Latest answer to</span>
      <input className="w-name" type="text" aria-label="Survey message" placeholder="survey message id" list={messagesId} value={c.message} autoFocus={focus} onChange={(e) => onChange({ message: e.target.value })} />
      <datalist id={messagesId}>
        {records.map((r) => (
          <option key={r.message.id} value={r.message.id}>
            {r.message.name}
          </option>
        ))}
      </datalist>
      <input className="w-name" type="text" aria-label="Question" placeholder="question id" list={questionsId} value={c.question} onChange={(e) => onChange({ question: e.target.value })} />
      <datalist id={questionsId}>
        {questions.map((q) => (
          <option key={q.id} value={q.id}>
            {`${q.type}: ${q.text}`}
          </option>
        ))}
      </datalist>
      <select aria-label="Answer test" value={c.by} onChange={(e) => onChange({ by: e.target.value as EditSurvey['by'] })}>
        <option value="score">has a score from</option>
        <option value="choice">includes the choice</option>
      </select>
      {c.by === 'score' ? (
        <>
          <input className="w-num" type="text" inputMode="numeric" aria-label="Lowest score" placeholder="any" value={c.min} onChange={(e) => onChange({ min: e.target.value })} />
          <span>to</span>
          <input className="w-num" type="text" inputMode="numeric" aria-label="Highest score" placeholder="any" value={c.max} onChange={(e) => onChange({ max: e.target.value })} />
        </>
      ) : (
        <>
          <input className="w-name" type="text" aria-label="Choice" placeholder="choice id" list={choicesId} value={c.choice} onChange={(e) => onChange({ choice: e.target.value })} />
          <datalist id={choicesId}>
            {choices.map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.label}
              </option>
            ))}
          </datalist>
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={c.within} onChange={(e) => onChange({ within: e.target.checked })} />
        in the last
      </label>
      <input className="w-num" type="text" inputMode="numeric" aria-label="Days" value={c.days} disabled={!c.within} onChange={(e) => onChange({ days: e.target.value })} />
      <span>days</span>
    </div>
  );
}
