import { useState } from 'react';
import type { MessageDraft, MessageRecord } from '../../../../shared/messages/model';
import { surveyQuestionSchema } from '../../../../shared/messages/survey';
import type { MethodOutput } from '../../../../shared/contract';
import { describeRule } from '../../../../shared/segments/describe';
import { parseRule } from '../../../../shared/segments/rule';
import { api } from '../../lib/api';
import { DataTable, type Column } from '../../ui/DataTable';
import { Dialog, DialogFooter } from '../../ui/Dialog';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { useBusyStep } from '../../ui/useBusyStep';
import { changeLabel, changeText } from './model';
import { describeSurvey } from './survey-edit';
import { useMessages } from './store';

type Diff = MethodOutput<'messageDiff'>;
type Change = Diff['changes'][number];

const surveyQuestions = surveyQuestionSchema.array();

/** A rule as its sentence, with its JSON one click away; a survey's questions as lines; anything else as text. */
function ChangeValue({ change, value }: { change: Change; value: unknown }) {
  const questions = change.path === 'content.questions' ? surveyQuestions.safeParse(value) : null;
  if (questions?.success) {
    return (
      <ol className="diff-questions">
        {describeSurvey({ questions: questions.data }).map((line) => (
          <li key={line}>{line.replace(/^\d+\.\s*/, '')}</li>
        ))}
      </ol>
    );
  }
  if (change.path !== 'rule' || value === null || value === undefined) return <>{changeText(value)}</>;
  const parsed = parseRule(value);
  return (
    <div className="diff-rule">
      <span>{parsed.ok ? describeRule(parsed.rule) : 'A rule this version cannot read'}</span>
      <details className="diff-json">
        <summary>Show JSON</summary>
        <pre>{JSON.stringify(value, null, 2)}</pre>
      </details>
    </div>
  );
}

/** The diff's columns; the draft names its questions and choices by position in translated paths. */
const diffColumns = (draft: MessageDraft): Column<Change>[] => [
  { id: 'field', header: 'What', rowHeader: true, cell: (c) => changeLabel(c.path, draft) },
  { id: 'before', header: 'Before', className: 'wrap diff-before', cell: (c) => <ChangeValue change={c} value={c.before} /> },
  { id: 'after', header: 'After', className: 'wrap diff-after', cell: (c) => <ChangeValue change={c} value={c.after} /> },
];

/**
 * What publishing would change against the version the server has, in the editor's words, then
 * publish: the next version goes into the outbox and the sender delivers it. Without a delivery URL
 * there is nowhere to publish to, so the dialog says so first and points to Environments; a server
 * that cannot be reached is no reason to stop: the version waits in the outbox (offline is normal).
 */
export function PublishDialog({ record, onClose }: { record: MessageRecord; onClose(): void }) {
  const [publishError, setPublishError] = useState<string | null>(null);
  const { busy, run } = useBusyStep(setPublishError);
  const m = record.message;
  const { data: diff, error: diffError } = useApiQuery<Diff>(() => api.messageDiff({ id: m.id }), [m.id]);
  const { data: envs } = useApiQuery(() => api.getEnvironments({}), []);
  const env = envs?.find((e) => e.environment === m.environment);
  const noUrl = env !== undefined && env.url === null;
  const error = publishError ?? diffError;

  const publish = async (): Promise<void> => {
    const next = await run(() => api.publishMessage({ id: m.id }));
    if (!next) return;
    useMessages.getState().absorb(next);
    // The outbox strip under the header follows it from here: queued, sending, published or why not.
    onClose();
  };

  const openEnvironments = (): void => {
    onClose();
    const store = useMessages.getState();
    store.close(() => store.setListTab('environments'));
  };

  return (
    <Dialog
      className="publish-dialog"
      onClose={onClose}
      title={`Publish “${m.name}”`}
      subtitle={
        diff
          ? `Version ${diff.nextVersion} to ${m.environment}${record.publishedVersion !== null ? `, replacing version ${record.publishedVersion}` : ', its first version'}.`
          : `To ${m.environment}.`
      }
    >
      <div className="publish-body">
        {noUrl ? (
          <div className="notice error" data-testid="publish-no-url" role="alert">
            <div>
              <strong>{`${m.environment.charAt(0).toUpperCase()}${m.environment.slice(1)} has no delivery URL yet.`}</strong>{' '}
              Set where its messages go, then publish.{' '}
              <button type="button" className="link" onClick={openEnvironments}>
                Open Environments
              </button>
            </div>
          </div>
        ) : env?.url ? (
          <p className="muted small-text" data-testid="publish-target">
            Goes to {env.url} through the outbox: if the server cannot be reached now, the version waits there and is sent when it can be.
          </p>
        ) : null}
        <ErrorNote error={error} banner testId="publish-error" />
        {!diff && !error ? <p className="muted">Comparing with the published version…</p> : null}
        {diff ? (
          diff.changes.length === 0 ? (
            <p className="muted">Nothing changed since version {record.publishedVersion}: publishing sends the same content again.</p>
          ) : (
            <DataTable className="diff-table" testId="publish-diff" caption="What changes" rows={diff.changes} rowKey={(c) => c.path} columns={diffColumns(m)} />
          )
        ) : null}
      </div>
      <DialogFooter onCancel={onClose}>
        <button type="button" className="primary" disabled={!diff || !envs || noUrl || busy} onClick={() => void publish()}>
          {diff ? `Publish version ${diff.nextVersion}` : 'Publish'}
        </button>
      </DialogFooter>
    </Dialog>
  );
}
