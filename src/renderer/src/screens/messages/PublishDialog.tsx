import { useState } from 'react';
import type { MessageRecord } from '../../../../shared/messages/model';
import type { MethodOutput } from '../../../../shared/contract';
import { api } from '../../lib/api';
import { DataTable, type Column } from '../../ui/DataTable';
import { Dialog, DialogFooter } from '../../ui/Dialog';
import { ErrorNote } from '../../ui/ErrorNote';
import { useApiQuery } from '../../ui/useApiQuery';
import { useBusyStep } from '../../ui/useBusyStep';
import { showValue } from './model';
import { useMessages } from './store';

type Diff = MethodOutput<'messageDiff'>;

const DIFF_COLUMNS: Column<Diff['changes'][number]>[] = [
  { id: 'field', header: 'Field', rowHeader: true, cell: (c) => c.path },
  { id: 'before', header: 'Before', className: 'wrap diff-before', cell: (c) => showValue(c.before) },
  { id: 'after', header: 'After', className: 'wrap diff-after', cell: (c) => showValue(c.after) },
];

/**
 * What publishing would change against the version the server has, field by field, then publish:
 * the next version goes into the outbox and the sender delivers it.
 */
export function PublishDialog({ record, onClose }: { record: MessageRecord; onClose(): void }) {
  const [publishError, setPublishError] = useState<string | null>(null);
  const { busy, run } = useBusyStep(setPublishError);
  const m = record.message;
  const { data: diff, error: diffError } = useApiQuery<Diff>(() => api.messageDiff({ id: m.id }), [m.id]);
  const error = publishError ?? diffError;

  const publish = async (): Promise<void> => {
    const next = await run(() => api.publishMessage({ id: m.id }));
    if (!next) return;
    useMessages.getState().absorb(next);
    // The outbox strip under the header follows it from here: queued, sending, published or why not.
    onClose();
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
        <ErrorNote error={error} banner testId="publish-error" />
        {!diff && !error ? <p className="muted">Comparing with the published version…</p> : null}
        {diff ? (
          diff.changes.length === 0 ? (
            <p className="muted">Nothing changed since version {record.publishedVersion}: publishing sends the same content again.</p>
          ) : (
            <DataTable
              className="diff-table"
              testId="publish-diff"
              caption="What changes"
              rows={diff.changes}
              rowKey={(c) => c.path}
              columns={DIFF_COLUMNS}
            />
          )
        ) : null}
      </div>
      <DialogFooter onCancel={onClose}>
        <button type="button" className="primary" disabled={!diff || busy} onClick={() => void publish()}>
          {diff ? `Publish version ${diff.nextVersion}` : 'Publish'}
        </button>
      </DialogFooter>
    </Dialog>
  );
}
