import { useEffect, useRef, useState } from 'react';
import type { MessageRecord } from '../../../../shared/messages/model';
import type { MethodOutput } from '../../../../shared/contract';
import { api, errorMessage } from '../../lib/api';
import { showValue } from './model';
import { useMessages } from './store';

type Diff = MethodOutput<'messageDiff'>;

/**
 * What publishing would change against the version the server has, field by field, then publish:
 * the next version goes into the outbox and the sender delivers it.
 */
export function PublishDialog({ record, onClose }: { record: MessageRecord; onClose(): void }) {
  const [diff, setDiff] = useState<Diff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<Element | null>(document.activeElement);
  const m = record.message;

  useEffect(() => {
    let live = true;
    api
      .messageDiff({ id: m.id })
      .then((d) => live && setDiff(d))
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [m.id]);

  useEffect(() => {
    dialog.current?.focus();
    const back = returnFocus.current;
    return () => {
      if (back instanceof HTMLElement) back.focus();
    };
  }, []);

  const publish = async (): Promise<void> => {
    setBusy(true);
    try {
      const next = await api.publishMessage({ id: m.id });
      useMessages.getState().absorb(next);
      // The outbox strip under the header follows it from here: queued, sending, published or why not.
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={dialog}
        className="dialog publish-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="publish-title"
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
            return;
          }
          // Tab stays inside the dialog while it is open.
          if (e.key !== 'Tab' || !dialog.current) return;
          const focusable = [...dialog.current.querySelectorAll<HTMLElement>('button:not([disabled])')];
          const first = focusable[0];
          const last = focusable[focusable.length - 1];
          if (!first || !last) return;
          if (e.shiftKey ? document.activeElement === first || document.activeElement === dialog.current : document.activeElement === last) {
            e.preventDefault();
            (e.shiftKey ? last : first).focus();
          }
        }}
      >
        <header className="dialog-header">
          <div>
            <h2 id="publish-title">Publish “{m.name}”</h2>
            <p className="muted">
              {diff
                ? `Version ${diff.nextVersion} to ${m.environment}${record.publishedVersion !== null ? `, replacing version ${record.publishedVersion}` : ', its first version'}.`
                : `To ${m.environment}.`}
            </p>
          </div>
          <button type="button" className="ghost icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="publish-body">
          {error ? (
            <p className="error-banner" role="alert" data-testid="publish-error">
              {error}
            </p>
          ) : null}
          {!diff && !error ? <p className="muted">Comparing with the published version…</p> : null}
          {diff ? (
            diff.changes.length === 0 ? (
              <p className="muted">Nothing changed since version {record.publishedVersion}: publishing sends the same content again.</p>
            ) : (
              <div className="table-scroll">
                <table className="data-table diff-table" data-testid="publish-diff">
                  <caption className="visually-hidden">What changes</caption>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Before</th>
                      <th scope="col">After</th>
                    </tr>
                  </thead>
                  <tbody>
                    {diff.changes.map((c) => (
                      <tr key={c.path}>
                        <th scope="row">{c.path}</th>
                        <td className="wrap diff-before">{showValue(c.before)}</td>
                        <td className="wrap diff-after">{showValue(c.after)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          ) : null}
        </div>
        <footer className="dialog-footer">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={!diff || busy} onClick={() => void publish()}>
            {diff ? `Publish version ${diff.nextVersion}` : 'Publish'}
          </button>
        </footer>
      </div>
    </div>
  );
}
