import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { MessageRecord } from '../../../../shared/messages/model';
import { api } from '../../lib/api';
import { formatDateTime, formatDateTimeSeconds } from '../../lib/format';
import { ConfirmUndo } from '../../ui/ConfirmUndo';
import { ErrorNote } from '../../ui/ErrorNote';
import { TabPanel, Tabs } from '../../ui/Tabs';
import { toast } from '../../ui/toast';
import { useBusyStep } from '../../ui/useBusyStep';
import { MessageEditor } from './MessageEditor';
import { StatusBadge } from './MessageList';
import { MessagePreview } from './MessagePreview';
import { BacktestPanel } from './BacktestPanel';
import { MessageResultsView } from './MessageResults';
import { hasCallToAction, KIND_LABELS, latestOutbox, pathWords, validate } from './model';
import { ConflictView, OutboxBadge, useOutboxActions } from './OutboxView';
import { PublishDialog } from './PublishDialog';
import { useMessages, type MessageTab } from './store';

const SAVE_WORDS = { saved: 'All changes saved', dirty: 'Saving soon…', saving: 'Saving…', invalid: 'Not saved: fix the fields marked below', error: 'Not saved' };

/** One message: its editor beside the live preview, publishing and its outbox state, and its results. */
export function MessageView() {
  const { draft, record, tab, saveState, saveError, leaving } = useMessages(
    useShallow((s) => ({ draft: s.draft, record: s.record, tab: s.tab, saveState: s.saveState, saveError: s.saveError, leaving: s.leaving })),
  );
  const { close, setTab, flush, keepEditing, discardChanges } = useMessages.getState();
  const [publishing, setPublishing] = useState<MessageRecord | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const issues = useMemo(() => (draft ? validate(draft) : {}), [draft]);
  const issueList = Object.entries(issues);

  useEffect(() => {
    heading.current?.focus();
  }, [draft?.id]);

  if (!draft) return null;

  // Saves first; a draft that cannot be saved brings up the leave prompt below (as leaving from the palette does).
  const back = (): void => close();
  const openPublish = async (): Promise<void> => {
    const saved = await flush();
    if (saved) setPublishing(saved);
  };
  const published = record?.publishedVersion != null;
  const publishBlocked = issueList.length > 0 ? `Fix ${issueList.length === 1 ? 'one field' : `${issueList.length} fields`} before publishing.` : null;

  return (
    <div className="screen message-screen">
      <header className="screen-header">
        <div>
          <button type="button" className="ghost back" onClick={back}>
            ← Messages
          </button>
          <h1 ref={heading} tabIndex={-1} className="message-title">
            {draft.name || 'Untitled message'}
          </h1>
          <div className="row">
            {record ? <StatusBadge record={record} /> : <span className="badge">Draft</span>}
            <span className="muted">
              {KIND_LABELS[draft.kind]} · {draft.environment}
              {record?.publishedVersion != null ? ` · published v${record.publishedVersion}` : ' · never published'}
            </span>
            <span className={`save-state ${saveState}`} role="status" data-testid="save-state">
              {SAVE_WORDS[saveState]}
            </span>
          </div>
        </div>
        <div className="header-actions">
          {record ? <Commands record={record} /> : null}
          <button
            type="button"
            className="primary"
            onClick={() => void openPublish()}
            disabled={publishBlocked !== null || saveState === 'saving'}
            title={publishBlocked ?? 'See what changes, then publish'}
          >
            Publish…
          </button>
        </div>
      </header>
      {leaving ? (
        <ConfirmUndo
          label="Leave with unsaved changes?"
          title="These changes are not saved."
          actions={
            <>
              <button type="button" autoFocus onClick={keepEditing}>
                Keep editing
              </button>
              <button type="button" className="danger-solid" onClick={discardChanges}>
                Discard changes
              </button>
            </>
          }
        >
          {saveState === 'error' ? `The last save failed${saveError ? `: ${saveError}` : ''}.` : 'The message cannot be saved until the marked fields are fixed.'} Leaving
          drops the changes; {record ? 'the last saved version stays.' : 'this message was never saved.'}
        </ConfirmUndo>
      ) : null}
      <ErrorNote error={saveError} banner testId="save-error" />
      {record ? <OutboxStrip record={record} /> : null}
      <Tabs<MessageTab>
        label="Message views"
        idBase="message"
        items={[
          { id: 'edit', label: 'Edit and preview', ...(issueList.length > 0 ? { badge: String(issueList.length) } : {}) },
          { id: 'results', label: 'Results' },
        ]}
        value={tab}
        onChange={setTab}
      />
      {tab === 'edit' ? (
        <TabPanel idBase="message" tab="edit" className="message-layout">
          <div className="message-main">
            {issueList.length > 0 ? (
              <div className="notice error" data-testid="issue-summary">
                <div>
                  <strong>{issueList.length === 1 ? 'One thing stops this message from being saved:' : `${issueList.length} things stop this message from being saved:`}</strong>
                  <ul className="issue-list">
                    {issueList.map(([path, messages]) => (
                      <li key={path}>
                        <button
                          type="button"
                          className="link"
                          onClick={() => document.querySelector<HTMLElement>(`[data-field="${CSS.escape(path)}"] input, [data-field="${CSS.escape(path)}"] select, [data-field="${CSS.escape(path)}"] textarea`)?.focus()}
                        >
                          {pathWords(path) || 'message'}
                        </button>
                        : {messages.join('; ')}
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            ) : null}
            <MessageEditor draft={draft} issues={issues} />
          </div>
          <aside className="message-side" aria-label="Preview and audience">
            <MessagePreview draft={draft} valid={issueList.length === 0} />
            <BacktestPanel draft={draft} valid={issueList.length === 0} />
          </aside>
        </TabPanel>
      ) : (
        // The results draw their own panel box.
        <TabPanel idBase="message" tab="results" className="">
          <MessageResultsView id={draft.id} published={published} hasCallToAction={hasCallToAction(draft)} />
        </TabPanel>
      )}
      {publishing ? <PublishDialog record={publishing} onClose={() => setPublishing(null)} /> : null}
    </div>
  );
}

/** Pause, resume and end on the server, through the same outbox. */
function Commands({ record }: { record: MessageRecord }) {
  const command = useBusyStep((message) => toast('error', message));
  const busy = command.busy;
  const run = async (op: 'pause' | 'resume' | 'end'): Promise<void> => {
    const next = await command.run(() => api.messageCommand({ id: record.message.id, op }));
    if (!next) return;
    useMessages.getState().absorb(next);
    toast('info', `${op === 'pause' ? 'Pausing' : op === 'resume' ? 'Resuming' : 'Ending'} “${record.message.name}”: queued in the outbox.`);
  };
  if (record.publishedVersion === null) return null;
  const s = record.status;
  return (
    <>
      {s === 'live' || s === 'scheduled' ? (
        <button type="button" disabled={busy} onClick={() => void run('pause')}>
          Pause
        </button>
      ) : null}
      {s === 'paused' ? (
        <button type="button" disabled={busy} onClick={() => void run('resume')}>
          Resume
        </button>
      ) : null}
      {s !== 'ended' && s !== 'archived' ? (
        <button type="button" className="danger" disabled={busy} onClick={() => void run('end')}>
          End
        </button>
      ) : null}
    </>
  );
}

/** The message's newest outbox work, live: queued, sending, published, failed with the reason, or a conflict. */
function OutboxStrip({ record }: { record: MessageRecord }) {
  const item = latestOutbox(record);
  const { retry, discard } = useOutboxActions();
  if (!item) return null;
  if (item.state === 'conflict') return <ConflictView item={item} />;
  return (
    <div className={`outbox-strip ${item.state}`} data-testid="outbox-strip" aria-live="polite">
      <OutboxBadge item={item} />
      <span className="muted small-text">
        {item.state === 'published'
          ? `Delivered to ${item.environment} ${formatDateTime(item.updatedAt)}.${item.lastError ? ` ${item.lastError}` : ''}`
          : item.state === 'failed'
            ? `Stopped after ${item.attempts} ${item.attempts === 1 ? 'attempt' : 'attempts'}: ${item.lastError ?? 'unknown error'}`
            : item.lastError
              ? `Waiting for ${item.environment} (${item.lastError}). Attempt ${item.attempts}${item.nextAttemptAt !== null ? `, next at ${formatDateTimeSeconds(item.nextAttemptAt)}` : ''}.`
              : `Waiting for ${item.environment}.`}
      </span>
      <span className="spacer" />
      {item.state === 'queued' || item.state === 'failed' ? (
        <>
          <button type="button" className="ghost small" onClick={() => void retry(item)}>
            Retry now
          </button>
          <button type="button" className="ghost small danger" onClick={() => void discard(item)}>
            Discard
          </button>
        </>
      ) : null}
    </div>
  );
}
