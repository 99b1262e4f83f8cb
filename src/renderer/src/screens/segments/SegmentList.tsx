import { useEffect, useRef, useState } from 'react';
import type { SavedSegment } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { formatDateTime, formatNumber, percent } from '../../lib/format';
import { useApp } from '../../store';
import { EmptyState } from '../../ui/EmptyState';
import { toast } from '../../ui/toast';
import { useSegments } from './store';

/** The saved segments: each with its rule in words and its size (counted one after another, after the list shows). */
export function SegmentList() {
  const segments = useSegments((s) => s.segments);
  const listError = useSegments((s) => s.listError);
  const sizes = useSegments((s) => s.sizes);
  const { newSegment, showCompare, setTemplateOpen, setSize } = useSegments.getState();
  const status = useApp((s) => s.status);
  const dataVersion = useApp((s) => s.dataVersion);
  const setArea = useApp((s) => s.setArea);

  // Sizes come lazily, one segment at a time, so a long list never floods the backend.
  useEffect(() => {
    if (!segments || segments.length === 0) return;
    let live = true;
    const run = async (): Promise<void> => {
      for (const s of segments) {
        if (!live) return;
        const stamp = `${s.updatedAt}:${dataVersion}`;
        if (useSegments.getState().sizes[s.id]?.stamp === stamp) continue;
        try {
          const preview = await api.previewSegment({ rule: s.rule, sample: 0 });
          if (live) setSize(s.id, { stamp, count: preview.count, total: preview.total, warnings: preview.warnings });
        } catch (err) {
          if (live) setSize(s.id, { stamp, count: -1, total: 0, warnings: [errorMessage(err)] });
        }
      }
    };
    const timer = setTimeout(() => void run(), 50);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [segments, dataVersion, setSize]);

  if (segments === null) {
    return listError ? (
      <p className="error-banner" role="alert">
        {listError}
      </p>
    ) : (
      <p className="muted pad">Loading segments…</p>
    );
  }

  if (segments.length === 0) {
    const needsData = status !== null && status.users === 0;
    return (
      <EmptyState
        title="No segments yet: start from a template or build one"
        actions={
          needsData ? (
            <>
              <button type="button" className="primary" onClick={() => setArea('data')}>
                Bring events in first
              </button>
              <button type="button" onClick={() => newSegment()}>
                New segment
              </button>
            </>
          ) : (
            <>
              <button type="button" className="primary" onClick={() => newSegment()}>
                New segment
              </button>
              <button type="button" onClick={() => setTemplateOpen(true)}>
                Start from a template
              </button>
            </>
          )
        }
      >
        <p>
          A segment is a rule over behavior and traits: “ran a report at least six times in the last 30 days and never invited
          anyone”. The builder shows who is in it as you type, counted from the local cache.
        </p>
        <p>
          {needsData
            ? 'The cache is empty, so every segment would hold no one: open the demo workspace or import events first.'
            : 'The engagement ladder (new, activated, engaged, power users, at risk, churned) is one click away as templates.'}
        </p>
      </EmptyState>
    );
  }

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Segments</h1>
          <p className="muted">
            {segments.length === 1 ? 'One saved segment' : `${formatNumber(segments.length)} saved segments`}
            {status?.dataAsOf != null ? ` · sizes as of ${formatDateTime(status.dataAsOf)}` : ''}
          </p>
        </div>
        <div className="header-actions">
          <button type="button" className="ghost" onClick={() => showCompare()} disabled={segments.length < 2} title={segments.length < 2 ? 'Save two segments to compare them' : 'Do these segments behave differently?'}>
            Compare
          </button>
          <button type="button" onClick={() => setTemplateOpen(true)}>
            Start from a template
          </button>
          <button type="button" className="primary" onClick={() => newSegment()}>
            New segment
          </button>
        </div>
      </header>
      {listError ? (
        <p className="error-banner" role="alert">
          {listError}
        </p>
      ) : null}
      <section className="card list-card" aria-label="Saved segments">
        <table className="data-table list-table" data-testid="segment-list">
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Rule</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s) => (
              <SegmentRow key={s.id} segment={s} size={sizes[s.id]} />
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function SegmentRow({ segment: s, size }: { segment: SavedSegment; size: ReturnType<typeof useSegments.getState>['sizes'][string] | undefined }) {
  const { openSegment, refreshSegments } = useSegments.getState();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(s.name);
  const [rowError, setRowError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<SavedSegment[] | null>(null);
  const [busy, setBusy] = useState(false);
  const renameInput = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (renaming) renameInput.current?.select();
  }, [renaming]);
  useEffect(() => {
    if (confirm) confirmButton.current?.focus();
  }, [confirm]);

  const rename = async (): Promise<void> => {
    const next = name.trim();
    if (next === s.name) {
      setRenaming(false);
      return;
    }
    setBusy(true);
    try {
      await api.saveSegment({ id: s.id, name: next, description: s.description, rule: s.rule });
      setRenaming(false);
      setRowError(null);
      await refreshSegments();
      toast('success', `Renamed to “${next}”.`);
    } catch (err) {
      setRowError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const duplicate = async (): Promise<void> => {
    try {
      const copy = await api.duplicateSegment({ id: s.id });
      await refreshSegments();
      toast('success', `Duplicated as “${copy.name}”.`, { label: 'Open', run: () => void openSegment(copy.id) });
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };

  const reallyDelete = async (): Promise<void> => {
    setBusy(true);
    try {
      await api.deleteSegment({ id: s.id });
      setConfirm(null);
      await refreshSegments();
      const restore = { name: s.name, description: s.description, rule: s.rule };
      toast('info', `Deleted “${s.name}”.`, {
        label: 'Undo',
        run: () => {
          api
            .saveSegment(restore)
            .then(async (back) => {
              await refreshSegments();
              toast('success', `Restored “${back.name}”.`);
            })
            .catch((err: unknown) => toast('error', `Could not restore “${s.name}”: ${errorMessage(err)}`));
        },
      });
    } catch (err) {
      setRowError(errorMessage(err));
      setBusy(false);
    }
  };

  const askDelete = async (): Promise<void> => {
    setBusy(true);
    try {
      const usage = await api.segmentUsage({ id: s.id });
      setBusy(false);
      if (usage.segments.length > 0) setConfirm(usage.segments);
      else await reallyDelete();
    } catch (err) {
      setRowError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <>
      <tr className={confirm ? 'segment-row confirming' : 'segment-row'} data-testid="segment-row">
        <td className="name-cell">
          {renaming ? (
            <form
              className="rename-form"
              onSubmit={(e) => {
                e.preventDefault();
                void rename();
              }}
            >
              <input
                ref={renameInput}
                type="text"
                aria-label={`New name for ${s.name}`}
                value={name}
                maxLength={200}
                onChange={(e) => setName(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    setRenaming(false);
                    setName(s.name);
                    setRowError(null);
                    setTimeout(() => renameButton.current?.focus(), 0);
                  }
                }}
                disabled={busy}
              />
              <button type="submit" className="small" disabled={busy}>
                Rename
              </button>
            </form>
          ) : (
            <button type="button" className="link row-name" onClick={() => void openSegment(s.id)} title="Open in the builder">
              {s.name}
            </button>
          )}
          {s.description ? <div className="muted small-text">{s.description}</div> : null}
          {rowError ? (
            <div className="error-text small-text" role="alert">
              {rowError}
            </div>
          ) : null}
        </td>
        <td className="wrap sentence-cell">{s.sentence}</td>
        <td className="num size-cell" data-testid="segment-size">
          {size === undefined ? (
            <span className="muted" aria-label="Counting">
              …
            </span>
          ) : size.count < 0 ? (
            <span className="error-text" title={size.warnings[0]}>
              error
            </span>
          ) : (
            <>
              <strong>{formatNumber(size.count)}</strong>
              <div className="muted small-text">{percent(size.count, size.total)}</div>
              {size.warnings.length > 0 ? (
                <div className="note-text small-text" title={size.warnings.join('\n')}>
                  {size.warnings.length === 1 ? '1 note' : `${size.warnings.length} notes`}
                </div>
              ) : null}
            </>
          )}
        </td>
        <td className="row-actions">
          <button
            ref={renameButton}
            type="button"
            className="ghost small"
            aria-label={`Rename ${s.name}`}
            onClick={() => {
              setName(s.name);
              setRenaming(true);
            }}
            disabled={busy || renaming}
          >
            Rename
          </button>
          <button type="button" className="ghost small" aria-label={`Duplicate ${s.name}`} onClick={() => void duplicate()} disabled={busy}>
            Duplicate
          </button>
          <button type="button" className="ghost small danger" aria-label={`Delete ${s.name}`} onClick={() => void askDelete()} disabled={busy}>
            Delete
          </button>
        </td>
      </tr>
      {confirm ? (
        <tr className="confirm-row">
          <td colSpan={4}>
            <div className="notice error" role="alertdialog" aria-label={`Delete ${s.name}?`}>
              <div>
                <strong>Delete “{s.name}”? Other segments use it.</strong>
                <p>
                  {confirm.map((u) => `“${u.name}”`).join(', ')} {confirm.length === 1 ? 'refers' : 'refer'} to it and will stop working until{' '}
                  {confirm.length === 1 ? 'its rule is' : 'their rules are'} changed.
                </p>
              </div>
              <div className="card-actions">
                <button ref={confirmButton} type="button" className="danger-solid" onClick={() => void reallyDelete()} disabled={busy}>
                  Delete anyway
                </button>
                <button type="button" onClick={() => setConfirm(null)}>
                  Keep it
                </button>
              </div>
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}
