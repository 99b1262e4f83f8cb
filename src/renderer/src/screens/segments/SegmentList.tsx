import { useEffect, useRef, useState } from 'react';
import type { SavedSegment, SegmentPreview } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { isEstimated, sampleNote } from '../../../../shared/estimate';
import { approximateCount, formatDateTime, formatNumber, percent } from '../../lib/format';
import { useApp } from '../../store';
import { ConfirmUndo } from '../../ui/ConfirmUndo';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNote } from '../../ui/ErrorNote';
import { focusLater } from '../../ui/focusLater';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { toast } from '../../ui/toast';
import { toastOnError } from '../../ui/toastOnError';
import { useEachInTurn } from '../../ui/useEachInTurn';
import { deleteWithUndo } from '../../ui/useUndoableDelete';
import { useSegments, type SegmentSize } from './store';

/** What a row is in the middle of: the cells of a row share it, so the list holds it per segment. */
interface RowState {
  /** The name as typed, while the row is being renamed. */
  renaming: string | null;
  /** Why the last rename or delete failed. */
  error: string | null;
  /** The segments that use this one, while its delete waits for a yes. */
  usedBy: SavedSegment[] | null;
  busy: boolean;
}

const IDLE: RowState = { renaming: null, error: null, usedBy: null, busy: false };

type PatchRow = (id: string, change: Partial<RowState>) => void;

const renameButtonId = (s: SavedSegment): string => `rename-segment-${s.id}`;

/** The saved segments: each with its rule in words and its size (counted one after another, after the list shows). */
export function SegmentList() {
  const segments = useSegments((s) => s.segments);
  const listError = useSegments((s) => s.listError);
  const sizes = useSegments((s) => s.sizes);
  const { newSegment, showCompare, setTemplateOpen, setSize } = useSegments.getState();
  const status = useApp((s) => s.status);
  const dataVersion = useApp((s) => s.dataVersion);
  const setArea = useApp((s) => s.setArea);
  const [rows, setRows] = useState<Record<string, RowState>>({});
  const patchRow: PatchRow = (id, change) => setRows((all) => ({ ...all, [id]: { ...(all[id] ?? IDLE), ...change } }));
  const rowOf = (s: SavedSegment): RowState => rows[s.id] ?? IDLE;

  // Sizes come lazily, one segment at a time, so a long list never floods the backend.
  useEachInTurn<SavedSegment, SegmentPreview>(
    segments,
    {
      stamp: (s) => `${s.updatedAt}:${dataVersion}`,
      held: (s) => useSegments.getState().sizes[s.id]?.stamp,
      ask: (s) => api.previewSegment({ rule: s.rule, sample: 0 }),
      put: (s, stamp, answer) =>
        setSize(
          s.id,
          answer.error !== undefined
            ? { stamp, count: -1, total: 0, warnings: [answer.error] }
            : { stamp, count: answer.value.count, total: answer.value.total, estimate: answer.value.estimate, warnings: answer.value.warnings },
        ),
    },
    [dataVersion],
  );

  if (segments === null) {
    return listError ? <ErrorNote error={listError} banner /> : <p className="muted pad">Loading segments…</p>;
  }

  if (segments.length === 0) {
    const needsData = status !== null && status.users === 0;
    return (
      <EmptyState
        title="Build your first segment"
        help={
          needsData
            ? 'A segment is a rule over behavior and traits, counted from the local cache: with no events in it yet, every segment would hold no one.'
            : 'A segment is a rule over behavior and traits (“ran a report six times in 30 days”), counted from the local cache as you type.'
        }
        action={needsData ? { label: 'Bring events in first', onClick: () => setArea('data') } : { label: 'New segment', onClick: () => newSegment() }}
        secondary={
          needsData ? (
            <button type="button" onClick={() => newSegment()}>
              New segment
            </button>
          ) : (
            <button type="button" onClick={() => setTemplateOpen(true)}>
              Start from a template
            </button>
          )
        }
      />
    );
  }

  const deleteNow = (s: SavedSegment): Promise<void> =>
    deleteWithUndo({
      name: s.name,
      remove: async () => {
        await api.deleteSegment({ id: s.id });
        patchRow(s.id, { usedBy: null });
      },
      restore: async () => {
        await api.saveSegment({ name: s.name, description: s.description, rule: s.rule });
      },
      refresh: useSegments.getState().refreshSegments,
    }).catch((err: unknown) => patchRow(s.id, { error: errorMessage(err), busy: false }));

  const columns: Column<SavedSegment>[] = [
    { id: 'segment', header: 'Segment', className: 'name-cell', cell: (s) => <NameCell segment={s} row={rowOf(s)} patchRow={patchRow} /> },
    { id: 'rule', header: 'Rule', className: 'wrap sentence-cell', cell: (s) => s.sentence },
    { id: 'size', header: 'Size', numeric: true, className: 'size-cell', cellProps: () => ({ 'data-testid': 'segment-size' }), cell: (s) => <SizeCell size={sizes[s.id]} /> },
  ];

  return (
    <div className="screen">
      <ScreenHeader
        title="Segments"
        subtitle={
          <>
            {segments.length === 1 ? 'One saved segment' : `${formatNumber(segments.length)} saved segments`}
            {status?.dataAsOf != null ? ` · sizes as of ${formatDateTime(status.dataAsOf)}` : ''}
          </>
        }
        actions={
          <>
            <button type="button" className="ghost" onClick={() => showCompare()} disabled={segments.length < 2} title={segments.length < 2 ? 'Save two segments to compare them' : 'Do these segments behave differently?'}>
              Compare
            </button>
            <button type="button" onClick={() => setTemplateOpen(true)}>
              Start from a template
            </button>
            <button type="button" className="primary" onClick={() => newSegment()}>
              New segment
            </button>
          </>
        }
      />
      <ErrorNote error={listError} banner />
      <section className="card list-card" aria-label="Saved segments">
        <DataTable
          className="list-table"
          scroll={false}
          testId="segment-list"
          columns={columns}
          rows={segments}
          rowKey={(s) => s.id}
          rowProps={(s) => ({ className: rowOf(s).usedBy ? 'segment-row confirming' : 'segment-row', 'data-testid': 'segment-row' })}
          actions={{ cell: (s) => <RowActions segment={s} row={rowOf(s)} patchRow={patchRow} deleteNow={deleteNow} /> }}
          detail={(s) => {
            const { usedBy, busy } = rowOf(s);
            return usedBy ? { className: 'confirm-row', content: <UsedByPrompt segment={s} usedBy={usedBy} busy={busy} patchRow={patchRow} deleteNow={deleteNow} /> } : null;
          }}
        />
      </section>
    </div>
  );
}

interface RowProps {
  segment: SavedSegment;
  row: RowState;
  patchRow: PatchRow;
}

/** The name, opening the builder; in its place while renaming, the rename form. */
function NameCell({ segment: s, row, patchRow }: RowProps) {
  const renameInput = useRef<HTMLInputElement>(null);
  const renaming = row.renaming !== null;
  useEffect(() => {
    if (renaming) renameInput.current?.select();
  }, [renaming]);

  const rename = async (typed: string): Promise<void> => {
    const next = typed.trim();
    if (next === s.name) {
      patchRow(s.id, { renaming: null });
      return;
    }
    patchRow(s.id, { busy: true });
    try {
      await api.saveSegment({ id: s.id, name: next, description: s.description, rule: s.rule });
      patchRow(s.id, { renaming: null, error: null });
      await useSegments.getState().refreshSegments();
      toast('success', `Renamed to “${next}”.`);
    } catch (err) {
      patchRow(s.id, { error: errorMessage(err) });
    } finally {
      patchRow(s.id, { busy: false });
    }
  };

  return (
    <>
      {row.renaming !== null ? (
        <form
          className="rename-form"
          onSubmit={(e) => {
            e.preventDefault();
            void rename(row.renaming ?? s.name);
          }}
        >
          <input
            ref={renameInput}
            type="text"
            aria-label={`New name for ${s.name}`}
            value={row.renaming}
            maxLength={200}
            onChange={(e) => patchRow(s.id, { renaming: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                patchRow(s.id, { renaming: null, error: null });
                focusLater(() => document.getElementById(renameButtonId(s)));
              }
            }}
            disabled={row.busy}
          />
          <button type="submit" className="small" disabled={row.busy}>
            Rename
          </button>
        </form>
      ) : (
        <button type="button" className="link row-name" onClick={() => void useSegments.getState().openSegment(s.id)} title="Open in the builder">
          {s.name}
        </button>
      )}
      {s.description ? <div className="muted small-text">{s.description}</div> : null}
      {row.error ? (
        <div className="error-text small-text" role="alert">
          {row.error}
        </div>
      ) : null}
    </>
  );
}

/** How many users the segment holds, once counted. */
function SizeCell({ size }: { size: SegmentSize | undefined }) {
  if (size === undefined) {
    return (
      <span className="muted" aria-label="Counting">
        …
      </span>
    );
  }
  if (size.count < 0) {
    return (
      <span className="error-text" title={size.warnings[0]}>
        error
      </span>
    );
  }
  return (
    <>
      {size.estimate && isEstimated(size.estimate) ? (
        <strong title={`${formatNumber(size.estimate.ci95[0])}–${formatNumber(size.estimate.ci95[1])} (95 % interval), ${sampleNote(size.estimate.sampled)}`}>
          {approximateCount(size.estimate)}
        </strong>
      ) : (
        <strong>{formatNumber(size.count)}</strong>
      )}
      <div className="muted small-text">{percent(size.count, size.total)}</div>
      {size.warnings.length > 0 ? (
        <div className="note-text small-text" title={size.warnings.join('\n')}>
          {size.warnings.length === 1 ? '1 note' : `${size.warnings.length} notes`}
        </div>
      ) : null}
    </>
  );
}

interface DeleteProps extends RowProps {
  deleteNow(s: SavedSegment): Promise<void>;
}

/** Rename, duplicate, and delete: at once with Undo, or after a question when other segments use it. */
function RowActions({ segment: s, row, patchRow, deleteNow }: DeleteProps) {
  const duplicate = () =>
    toastOnError(async () => {
      const copy = await api.duplicateSegment({ id: s.id });
      await useSegments.getState().refreshSegments();
      toast('success', `Duplicated as “${copy.name}”.`, { label: 'Open', run: () => void useSegments.getState().openSegment(copy.id) });
    });

  // Undo cannot mend the segments that refer to this one: those are named first.
  const askDelete = async (): Promise<void> => {
    patchRow(s.id, { busy: true });
    try {
      const usage = await api.segmentUsage({ id: s.id });
      if (usage.segments.length > 0) patchRow(s.id, { busy: false, usedBy: usage.segments });
      else await deleteNow(s);
    } catch (err) {
      patchRow(s.id, { error: errorMessage(err), busy: false });
    }
  };

  return (
    <>
      <button
        id={renameButtonId(s)}
        type="button"
        className="ghost small"
        aria-label={`Rename ${s.name}`}
        onClick={() => patchRow(s.id, { renaming: s.name })}
        disabled={row.busy || row.renaming !== null}
      >
        Rename
      </button>
      <button type="button" className="ghost small" aria-label={`Duplicate ${s.name}`} onClick={() => void duplicate()} disabled={row.busy}>
        Duplicate
      </button>
      <button type="button" className="ghost small danger" aria-label={`Delete ${s.name}`} onClick={() => void askDelete()} disabled={row.busy}>
        Delete
      </button>
    </>
  );
}

interface UsedByPromptProps {
  segment: SavedSegment;
  usedBy: SavedSegment[];
  busy: boolean;
  patchRow: PatchRow;
  deleteNow(s: SavedSegment): Promise<void>;
}

/** Names the segments that refer to this one before it goes. */
function UsedByPrompt({ segment: s, usedBy, busy, patchRow, deleteNow }: UsedByPromptProps) {
  return (
    <ConfirmUndo
      label={`Delete ${s.name}?`}
      title={`Delete “${s.name}”? Other segments use it.`}
      actions={
        <>
          <button
            type="button"
            className="danger-solid"
            autoFocus
            onClick={() => {
              patchRow(s.id, { busy: true });
              void deleteNow(s);
            }}
            disabled={busy}
          >
            Delete anyway
          </button>
          <button type="button" onClick={() => patchRow(s.id, { usedBy: null })}>
            Keep it
          </button>
        </>
      }
    >
      {usedBy.map((u) => `“${u.name}”`).join(', ')} {usedBy.length === 1 ? 'refers' : 'refer'} to it and will stop working until{' '}
      {usedBy.length === 1 ? 'its rule is' : 'their rules are'} changed.
    </ConfirmUndo>
  );
}
