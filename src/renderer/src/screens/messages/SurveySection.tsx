/**
 * The survey's questions: add, remove and reorder them with buttons (keyboard first, no drag), pick each
 * question's type and fill its own fields, mark it optional, and branch on its answer to a later question
 * or the end. What validation finds shows by the field it belongs to.
 */
import { useContext, useEffect, useState } from 'react';
import type { SurveyContent, SurveyQuestion, SurveyQuestionType } from '../../../../shared/messages/survey';
import { CSAT_STYLES } from '../../../../shared/messages/survey';
import { OTHER_CHOICE, scaleOf } from '../../../../shared/messages/survey-flow';
import { Field, FieldErrors } from '../../ui/Field';
import { NumberInput } from '../../ui/NumberInput';
import { RemoveButton } from '../../ui/RemoveButton';
import { InputField, IssueField, IssuesContext, NumberField, put, type SectionProps } from './editor-fields';
import { dropTranslationsUnder } from './languages';
import { defaultSurvey, type Issues } from './model';
import {
  addChoice,
  addQuestion,
  changeQuestionType,
  CSAT_STYLE_LABELS,
  isChoiceQuestion,
  laterTargets,
  MAX_CHOICES,
  MAX_SURVEY_QUESTIONS,
  moveQuestion,
  newBranch,
  QUESTION_TYPE_LABELS,
  removeChoice,
  removeQuestion,
  replaceQuestion,
  setOther,
  SURVEY_QUESTION_TYPES,
  type SurveyBranch,
} from './survey-edit';

/** survey.ts allows this many branches per question. */
const MAX_BRANCHES = 10;

type SetQuestion = (change: (q: SurveyQuestion) => SurveyQuestion) => void;

/** The issues at exactly these paths (not below them): a question's own issues without its fields'. */
const exactly = (issues: Issues, ...paths: string[]): string[] => paths.flatMap((p) => issues[p] ?? []);

/** Where the focus goes once the questions have been redrawn: a question's control, by its data-focus name. */
interface FocusAfter {
  questionId: string;
  control: string;
  /** Select the control's text (a new question's starter text, so typing replaces it). */
  select?: boolean;
}

export function SurveySection({ draft, edit }: SectionProps) {
  const issues = useContext(IssuesContext);
  const survey = draft.survey ?? defaultSurvey();
  const [addType, setAddType] = useState<SurveyQuestionType>('single_choice');
  const [focusAfter, setFocusAfter] = useState<FocusAfter | null>(null);
  const setSurvey = (change: (s: SurveyContent) => SurveyContent): void => edit((d) => ({ ...d, survey: change(d.survey ?? defaultSurvey()) }));

  useEffect(() => {
    if (!focusAfter) return;
    const card = document.querySelector(`[data-question="${CSS.escape(focusAfter.questionId)}"]`);
    const wanted = card?.querySelector<HTMLElement>(`[data-focus="${focusAfter.control}"]:not(:disabled)`);
    // A question moved to the top or bottom has that move button disabled: its other move button takes the focus.
    const target = wanted ?? card?.querySelector<HTMLElement>('[data-focus^="move-"]:not(:disabled)') ?? card?.querySelector<HTMLElement>('textarea, input');
    target?.focus();
    if (focusAfter.select && target instanceof HTMLTextAreaElement) target.select();
    setFocusAfter(null);
  }, [focusAfter]);

  const move = (index: number, delta: -1 | 1): void => {
    const id = survey.questions[index]?.id;
    setSurvey((s) => moveQuestion(s, index, delta));
    if (id) setFocusAfter({ questionId: id, control: delta < 0 ? 'move-up' : 'move-down' });
  };
  const remove = (index: number): void => {
    const id = survey.questions[index]?.id;
    edit((d) => {
      const next = { ...d, survey: removeQuestion(d.survey ?? defaultSurvey(), index) };
      return id ? dropTranslationsUnder(next, `questions.${id}`) : next;
    });
    const neighbour = survey.questions[index + 1]?.id ?? survey.questions[index - 1]?.id;
    if (neighbour) setFocusAfter({ questionId: neighbour, control: 'text' });
  };
  const add = (): void => {
    const next = addQuestion(survey, addType);
    setSurvey((s) => addQuestion(s, addType));
    const added = next.questions[next.questions.length - 1];
    if (added) setFocusAfter({ questionId: added.id, control: 'text', select: true });
  };

  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">Survey</h3>
      <p className="muted hint">Questions are asked in order. A branch jumps ahead on an answer; jumps only go forward, so every survey ends.</p>
      <InputField label="Title (optional)" path="survey.title" value={survey.title ?? ''} onChange={(title) => setSurvey((s) => put(s, 'title', title || undefined))} />
      <FieldErrors errors={exactly(issues, 'survey', 'survey.questions')} testId="survey-errors" />
      <ol className="survey-questions" aria-label="Questions">
        {survey.questions.map((question, index) => (
          <QuestionCard
            key={question.id}
            survey={survey}
            index={index}
            question={question}
            set={(change) => setSurvey((s) => replaceQuestion(s, index, change(s.questions[index] as SurveyQuestion)))}
            edit={edit}
            onMove={(delta) => move(index, delta)}
            onRemove={() => remove(index)}
          />
        ))}
      </ol>
      <div className="row survey-add">
        <label className="inline-label">
          <span>New question of type</span>
          <select value={addType} onChange={(e) => setAddType(e.target.value as SurveyQuestionType)} data-testid="add-question-type">
            {SURVEY_QUESTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {QUESTION_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={add} disabled={survey.questions.length >= MAX_SURVEY_QUESTIONS}>
          + Add question
        </button>
        {survey.questions.length >= MAX_SURVEY_QUESTIONS ? <span className="muted small-text">A survey asks at most {MAX_SURVEY_QUESTIONS} questions.</span> : null}
      </div>
      <div className="msg-grid">
        <InputField label="Thank-you text" path="survey.thankYou" value={survey.thankYou} onChange={(thankYou) => setSurvey((s) => ({ ...s, thankYou }))} />
        <InputField
          label="Close button label"
          path="survey.dismissLabel"
          hint="The close button’s name for screen readers."
          value={survey.dismissLabel}
          onChange={(dismissLabel) => setSurvey((s) => ({ ...s, dismissLabel }))}
        />
      </div>
    </section>
  );
}

interface QuestionCardProps {
  survey: SurveyContent;
  index: number;
  question: SurveyQuestion;
  set: SetQuestion;
  edit: SectionProps['edit'];
  onMove(delta: -1 | 1): void;
  onRemove(): void;
}

function QuestionCard({ survey, index, question, set, edit, onMove, onRemove }: QuestionCardProps) {
  const issues = useContext(IssuesContext);
  const path = `survey.questions.${index}`;
  const n = index + 1;
  const headingId = `survey-q-${question.id}`;
  const last = index === survey.questions.length - 1;
  return (
    <li className="survey-question" data-question={question.id} aria-labelledby={headingId}>
      <div className="survey-question-head">
        <h4 id={headingId}>
          Question {n} <span className="muted">· {QUESTION_TYPE_LABELS[question.type]}</span>
        </h4>
        <span className="muted small-text" title="Named in events, exports and rules">
          id {question.id}
        </span>
        <span className="spacer" />
        <button type="button" className="ghost small" data-focus="move-up" aria-label={`Move question ${n} up`} disabled={index === 0} onClick={() => onMove(-1)}>
          ↑ Up
        </button>
        <button type="button" className="ghost small" data-focus="move-down" aria-label={`Move question ${n} down`} disabled={last} onClick={() => onMove(1)}>
          ↓ Down
        </button>
        <button type="button" className="ghost small danger" aria-label={`Remove question ${n}`} disabled={survey.questions.length <= 1} onClick={onRemove}>
          Remove
        </button>
      </div>
      <FieldErrors errors={exactly(issues, path, `${path}.id`, `${path}.branches`)} />
      <div className="msg-grid">
        <IssueField label={`Question ${n} type`} path={`${path}.type`}>
          {(c) => (
            <select {...c} value={question.type} onChange={(e) => set((q) => changeQuestionType(q, e.target.value as SurveyQuestionType))}>
              {SURVEY_QUESTION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {QUESTION_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </IssueField>
        <label className="check survey-optional">
          <input type="checkbox" checked={question.optional === true} onChange={(e) => set((q) => put(q, 'optional', e.target.checked || undefined))} />
          Optional: people may skip it
        </label>
      </div>
      <IssueField label={`Question ${n} text`} path={`${path}.text`}>
        {(c) => <textarea {...c} rows={2} data-focus="text" value={question.text} onChange={(e) => set((q) => ({ ...q, text: e.target.value }))} />}
      </IssueField>
      <TypeFields question={question} path={path} n={n} set={set} edit={edit} />
      <Branches survey={survey} index={index} question={question} path={path} set={set} />
    </li>
  );
}

/** The fields of the question's own type: scale labels, CSAT style, rating scale, choices, placeholder. */
function TypeFields({ question, path, n, set, edit }: { question: SurveyQuestion; path: string; n: number; set: SetQuestion; edit: SectionProps['edit'] }) {
  const issues = useContext(IssuesContext);
  const scale = scaleOf(question);
  if (scale && 'lowLabel' in question) {
    return (
      <div className="msg-grid three">
        <InputField label={`Label under ${scale.min}`} path={`${path}.lowLabel`} value={question.lowLabel} onChange={(lowLabel) => set((q) => ({ ...q, lowLabel }))} />
        <InputField label={`Label under ${scale.max}`} path={`${path}.highLabel`} value={question.highLabel} onChange={(highLabel) => set((q) => ({ ...q, highLabel }))} />
        {question.type === 'csat' ? (
          <IssueField label="Shown as" path={`${path}.style`}>
            {(c) => (
              <select {...c} value={question.style ?? 'labels'} onChange={(e) => set((q) => ({ ...q, style: e.target.value as (typeof CSAT_STYLES)[number] }))}>
                {CSAT_STYLES.map((s) => (
                  <option key={s} value={s}>
                    {CSAT_STYLE_LABELS[s]}
                  </option>
                ))}
              </select>
            )}
          </IssueField>
        ) : question.type === 'rating' ? (
          <NumberField label="Scale from 1 to" path={`${path}.max`} hint="3 to 10" value={question.max} onChange={(max) => set((q) => ({ ...q, max: max as number }))} />
        ) : (
          <span />
        )}
      </div>
    );
  }
  if (isChoiceQuestion(question)) {
    return (
      <div className="survey-choices">
        <ul className="plain-list" aria-label={`Choices of question ${n}`}>
          {question.choices.map((choice, i) => (
            <li key={choice.id} className="survey-choice">
              <InputField
                label={`Choice ${i + 1}`}
                path={`${path}.choices.${i}.label`}
                value={choice.label}
                onChange={(label) => set((q) => (isChoiceQuestion(q) ? { ...q, choices: q.choices.map((c, j) => (j === i ? { ...c, label } : c)) } : q))}
              />
              <RemoveButton
                label={`Remove choice ${i + 1} of question ${n}`}
                className="ghost small icon"
                onClick={() =>
                  edit((d) => {
                    const survey = d.survey ?? defaultSurvey();
                    const at = survey.questions.findIndex((q) => q.id === question.id);
                    const q = survey.questions[at];
                    if (!q || !isChoiceQuestion(q)) return d;
                    return dropTranslationsUnder({ ...d, survey: replaceQuestion(survey, at, removeChoice(q, i)) }, `questions.${q.id}.choices.${choice.id}`);
                  })
                }
              />
            </li>
          ))}
        </ul>
        <FieldErrors errors={exactly(issues, `${path}.choices`)} />
        <div className="row">
          <button type="button" className="ghost small" disabled={question.choices.length >= MAX_CHOICES} onClick={() => set((q) => (isChoiceQuestion(q) ? addChoice(q) : q))}>
            + Add choice
          </button>
          <label className="check">
            <input type="checkbox" checked={question.other !== undefined} onChange={(e) => set((q) => (isChoiceQuestion(q) ? setOther(q, e.target.checked) : q))} />
            Offer “other” with a free text
          </label>
        </div>
        {question.other ? (
          <InputField
            label="Label for “other”"
            path={`${path}.other.label`}
            value={question.other.label}
            onChange={(label) => set((q) => (isChoiceQuestion(q) ? { ...q, other: { label } } : q))}
          />
        ) : null}
      </div>
    );
  }
  if (question.type === 'open_text') {
    return (
      <InputField
        label="Placeholder in the answer box (optional)"
        path={`${path}.placeholder`}
        value={question.placeholder ?? ''}
        onChange={(placeholder) => set((q) => (q.type === 'open_text' ? put(q, 'placeholder', placeholder || undefined) : q))}
      />
    );
  }
  return null;
}

/** A jump target's options: later questions and the end, plus the current target when it no longer qualifies (so it shows, flagged). */
function TargetOptions({ survey, index, current }: { survey: SurveyContent; index: number; current: string | undefined }) {
  const targets = laterTargets(survey, index);
  const stray = current !== undefined && current !== '' && !targets.some((t) => t.id === current);
  const at = survey.questions.findIndex((q) => q.id === current);
  return (
    <>
      {stray ? <option value={current}>{at >= 0 ? `Question ${at + 1} (before this one)` : `“${current}” (missing)`}</option> : null}
      {targets.map((t) => (
        <option key={t.id} value={t.id}>
          {t.label}
        </option>
      ))}
    </>
  );
}

/** The question's branches (if the answer is…, go to…) and where it goes otherwise. */
function Branches({ survey, index, question, path, set }: { survey: SurveyContent; index: number; question: SurveyQuestion; path: string; set: SetQuestion }) {
  const n = index + 1;
  const branches = question.branches ?? [];
  const canBranch = newBranch(survey, index) !== null;
  const setBranches = (change: (b: SurveyBranch[]) => SurveyBranch[]): void =>
    set((q) => {
      const next = change(q.branches ?? []);
      return put(q, 'branches', next.length > 0 ? next : undefined);
    });
  const following = survey.questions[index + 1];
  const addBranch = (): void => {
    const branch = newBranch(survey, index);
    if (branch) setBranches((all) => [...all, branch]);
  };
  return (
    <div className="survey-flow" role="group" aria-label={`Where question ${n} leads`}>
      {branches.length > 0 ? (
        <ol className="plain-list survey-branches" aria-label={`Branches of question ${n}`}>
          {branches.map((branch, j) => (
            <BranchRow
              key={j}
              survey={survey}
              index={index}
              question={question}
              branch={branch}
              path={`${path}.branches.${j}`}
              label={`Branch ${j + 1} of question ${n}`}
              onChange={(b) => setBranches((all) => all.map((x, k) => (k === j ? b : x)))}
              onRemove={() => setBranches((all) => all.filter((_, k) => k !== j))}
            />
          ))}
        </ol>
      ) : null}
      <div className="msg-grid">
        <IssueField label={branches.length > 0 ? 'Otherwise go to' : 'Then go to'} path={`${path}.next`}>
          {(c) => (
            <select {...c} value={question.next ?? ''} onChange={(e) => set((q) => put(q, 'next', e.target.value || undefined))}>
              <option value="">{following ? `The next question (question ${n + 1})` : 'The end (thank-you)'}</option>
              <TargetOptions survey={survey} index={index} current={question.next} />
            </select>
          )}
        </IssueField>
        {canBranch ? (
          <div className="field-block survey-add-branch">
            <button type="button" className="ghost small" disabled={branches.length >= MAX_BRANCHES} onClick={addBranch}>
              + Branch on the answer
            </button>
          </div>
        ) : null}
      </div>
    </div>
  );
}

interface BranchRowProps {
  survey: SurveyContent;
  index: number;
  question: SurveyQuestion;
  branch: SurveyBranch;
  path: string;
  label: string;
  onChange(branch: SurveyBranch): void;
  onRemove(): void;
}

function BranchRow({ survey, index, question, branch, path, label, onChange, onRemove }: BranchRowProps) {
  const issues = useContext(IssuesContext);
  const scale = scaleOf(question);
  const when = branch.when;
  return (
    <li className="survey-branch" aria-label={label}>
      {'choice' in when || !scale ? (
        <IssueField label="If they pick" path={`${path}.when`}>
          {(c) => (
            <select {...c} value={'choice' in when ? when.choice : ''} onChange={(e) => onChange({ ...branch, when: { choice: e.target.value } })}>
              {'choice' in when ? null : <option value="">Pick a choice…</option>}
              {isChoiceQuestion(question) ? (
                <>
                  {question.choices.map((ch, i) => (
                    <option key={ch.id} value={ch.id}>
                      {ch.label || `Choice ${i + 1}`}
                    </option>
                  ))}
                  {question.other ? <option value={OTHER_CHOICE}>{question.other.label || 'Other'} (free text)</option> : null}
                </>
              ) : null}
              {'choice' in when && !(isChoiceQuestion(question) && (question.choices.some((c) => c.id === when.choice) || (question.other && when.choice === OTHER_CHOICE))) ? (
                <option value={when.choice}>“{when.choice}” (missing)</option>
              ) : null}
            </select>
          )}
        </IssueField>
      ) : (
        <>
          <Field label={`If the score is at least (${scale.min}-${scale.max}, empty: any)`} name={`${path}.when`} errors={exactly(issues, `${path}.when`, `${path}.when.min`)}>
            {(c) => <NumberInput {...c} className="w-num" value={when.min} onChange={(min) => onChange({ ...branch, when: put(when, 'min', min as number | undefined) })} />}
          </Field>
          <Field label="and at most (empty: any)" name={`${path}.when.max`} errors={exactly(issues, `${path}.when.max`)}>
            {(c) => <NumberInput {...c} className="w-num" value={when.max} onChange={(max) => onChange({ ...branch, when: put(when, 'max', max as number | undefined) })} />}
          </Field>
        </>
      )}
      <IssueField label="go to" path={`${path}.goTo`}>
        {(c) => (
          <select {...c} value={branch.goTo} onChange={(e) => onChange({ ...branch, goTo: e.target.value })}>
            <TargetOptions survey={survey} index={index} current={branch.goTo} />
          </select>
        )}
      </IssueField>
      <RemoveButton label={`Remove ${label.toLowerCase()}`} className="ghost small icon" onClick={onRemove} />
    </li>
  );
}
