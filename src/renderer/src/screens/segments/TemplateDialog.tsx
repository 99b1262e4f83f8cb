import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import { classicTemplates, engagementLadder, type SegmentTemplate } from '../../../../shared/segments/templates';
import { useSegments } from './store';

const DEFAULT_ACTIVATED = 'project_created';
const DEFAULT_CORE = 'report_run';
const CLASSIC_PARAMS = { coreEvent: 'report_run', featureEvent: 'export_csv', limitEvent: 'usage_limit_hit' };

/**
 * "Start from a template": the engagement ladder, for the two events that mean activated and core
 * use in this product, and the classic behavioral segments. Picking one fills the builder.
 */
export function TemplateDialog() {
  const open = useSegments((s) => s.templateOpen);
  const catalog = useSegments((s) => s.catalog);
  const { setTemplateOpen, newSegment } = useSegments.getState();
  const [activated, setActivated] = useState(DEFAULT_ACTIVATED);
  const [core, setCore] = useState(DEFAULT_CORE);
  const dialog = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<Element | null>(null);
  const listId = useId();

  useEffect(() => {
    if (open) {
      returnFocus.current = document.activeElement;
      setTimeout(() => dialog.current?.querySelector<HTMLElement>('input')?.focus(), 0);
    } else if (returnFocus.current instanceof HTMLElement && returnFocus.current.isConnected) {
      returnFocus.current.focus();
    }
  }, [open]);

  const ladder = useMemo(
    () => engagementLadder({ activatedEvent: activated.trim() || DEFAULT_ACTIVATED, coreEvent: core.trim() || DEFAULT_CORE }),
    [activated, core],
  );
  const classics = useMemo(() => classicTemplates(CLASSIC_PARAMS), []);
  const known = useMemo(() => new Set((catalog ?? []).map((e) => e.name)), [catalog]);

  if (!open) return null;
  const close = (): void => setTemplateOpen(false);
  const pick = (t: SegmentTemplate): void => {
    close();
    newSegment({ name: t.name, description: t.description, rule: t.rule });
  };

  // Tab stays inside the dialog.
  const trap = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>('input, button')].filter((el) => !el.hasAttribute('disabled'));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };

  const unknown = [activated, core].map((x) => x.trim()).filter((x) => x !== '' && catalog !== null && !known.has(x));

  return (
    <div className="overlay" onMouseDown={close}>
      <div
        ref={dialog}
        className="dialog template-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="template-title"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={trap}
      >
        <header className="dialog-header">
          <div>
            <h2 id="template-title">Start from a template</h2>
            <p className="muted">Picking one fills the builder; change anything before you save.</p>
          </div>
          <button type="button" className="ghost small icon" aria-label="Close" onClick={close}>
            ×
          </button>
        </header>
        <div className="dialog-body">
          <section aria-labelledby="ladder-title">
            <h3 id="ladder-title">Engagement ladder</h3>
            <p className="muted small-text">Which events mean “activated” and “core use” in your product?</p>
            <datalist id={listId}>
              {(catalog ?? []).map((e) => (
                <option key={e.name} value={e.name} />
              ))}
            </datalist>
            <div className="ladder-params">
              <label>
                Activated event
                <input type="text" list={listId} value={activated} spellCheck={false} onChange={(e) => setActivated(e.target.value)} />
              </label>
              <label>
                Core event
                <input type="text" list={listId} value={core} spellCheck={false} onChange={(e) => setCore(e.target.value)} />
              </label>
            </div>
            {unknown.length > 0 ? <p className="note-text small-text">No “{unknown.join('”, “')}” event in the cache yet.</p> : null}
            <ol className="template-list ladder">
              {ladder.map((t) => (
                <li key={t.key}>
                  <TemplateButton template={t} onPick={pick} />
                </li>
              ))}
            </ol>
          </section>
          <section aria-labelledby="classics-title">
            <h3 id="classics-title">Classics</h3>
            <ul className="template-list">
              {classics.map((t) => (
                <li key={t.key}>
                  <TemplateButton template={t} onPick={pick} />
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </div>
  );
}

function TemplateButton({ template: t, onPick }: { template: SegmentTemplate; onPick(t: SegmentTemplate): void }) {
  return (
    <button type="button" className="template" onClick={() => onPick(t)}>
      <strong>{t.name}</strong>
      <span className="muted">{describeRule(t.rule)}</span>
    </button>
  );
}
