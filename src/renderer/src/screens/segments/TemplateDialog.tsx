import { useId, useMemo, useState } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import { classicTemplates, engagementLadder, type SegmentTemplate } from '../../../../shared/segments/templates';
import { Dialog } from '../../ui/Dialog';
import { EventNameInput, EventNameList } from './EventNameInput';
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
  // Kept while the dialog is closed: the events picked stay picked for the next time.
  const [activated, setActivated] = useState(DEFAULT_ACTIVATED);
  const [core, setCore] = useState(DEFAULT_CORE);
  const listId = useId();

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
  const unknown = [activated, core].map((x) => x.trim()).filter((x) => x !== '' && catalog !== null && !known.has(x));

  return (
    <Dialog
      className="template-dialog"
      title="Start from a template"
      subtitle="Picking one fills the builder; change anything before you save."
      initialFocus="input"
      onClose={close}
    >
      <div className="dialog-body">
        <section aria-labelledby="ladder-title">
          <h3 id="ladder-title">Engagement ladder</h3>
          <p className="muted small-text">Which events mean “activated” and “core use” in your product?</p>
          <EventNameList id={listId} />
          <div className="ladder-params">
            <EventNameInput label="Activated event" list={listId} value={activated} onChange={setActivated} />
            <EventNameInput label="Core event" list={listId} value={core} onChange={setCore} />
          </div>
          {unknown.length > 0 ? <p className="note-text small-text">No “{unknown.join('”, “')}” event in the cache yet.</p> : null}
          <TemplateList className="template-list ladder" ordered templates={ladder} onPick={pick} />
        </section>
        <section aria-labelledby="classics-title">
          <h3 id="classics-title">Classics</h3>
          <TemplateList className="template-list" templates={classics} onPick={pick} />
        </section>
      </div>
    </Dialog>
  );
}

interface TemplateListProps {
  templates: SegmentTemplate[];
  onPick(t: SegmentTemplate): void;
  className: string;
  /** The ladder's rungs come in order. */
  ordered?: boolean;
}

function TemplateList({ templates, onPick, className, ordered = false }: TemplateListProps) {
  const items = templates.map((t) => (
    <li key={t.key}>
      <TemplateButton template={t} onPick={onPick} />
    </li>
  ));
  return ordered ? <ol className={className}>{items}</ol> : <ul className={className}>{items}</ul>;
}

function TemplateButton({ template: t, onPick }: { template: SegmentTemplate; onPick(t: SegmentTemplate): void }) {
  return (
    <button type="button" className="template" onClick={() => onPick(t)}>
      <strong>{t.name}</strong>
      <span className="muted">{describeRule(t.rule)}</span>
    </button>
  );
}
