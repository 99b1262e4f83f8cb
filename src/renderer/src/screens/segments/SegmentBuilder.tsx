import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import { errorMessage } from '../../lib/api';
import { toast } from '../../ui/toast';
import { LivePanel, SegmentTrend } from './LivePanel';
import { conditionCount, toRule, type EditGroup } from './model';
import { RuleEditor } from './RuleEditor';
import { isDirty, useSegments } from './store';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

/** One segment, new or saved: its name, its rule as nested groups, the rule in words, and its live size. */
export function SegmentBuilder() {
  const draft = useSegments((s) => s.draft);
  const segments = useSegments((s) => s.segments);
  const catalog = useSegments((s) => s.catalog);
  const traits = useSegments((s) => s.traits);
  const pending = useSegments((s) => s.pending);
  const { setDraft, saveDraft, showList, resolvePending, setTemplateOpen } = useSegments.getState();
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  const pendingBar = useRef<HTMLDivElement>(null);

  const built = useMemo(() => (draft ? toRule(draft.root) : null), [draft]);
  const dirty = isDirty(draft);
  const names = useMemo(() => new Map((segments ?? []).map((s) => [s.id, s.name])), [segments]);
  const sentence = built?.rule ? describeRule(built.rule, (id) => names.get(id) ?? id) : null;
  const others = useMemo(() => (segments ?? []).filter((s) => s.id !== draft?.id), [segments, draft?.id]);

  // A freshly opened segment or template puts the cursor in the name.
  const opened = draft?.opened;
  useEffect(() => {
    if (opened === undefined) return;
    setSaveError(null);
    nameInput.current?.focus();
    if (draft?.name) nameInput.current?.select();
    // Only when another segment opens, not on every keystroke: `opened` says which.
  }, [opened]);

  useEffect(() => {
    if (pending) pendingBar.current?.focus();
  }, [pending]);

  const save = useCallback(async (): Promise<boolean> => {
    const current = useSegments.getState().draft;
    if (!current) return false;
    if (current.name.trim() === '') {
      setSaveError('Give the segment a name first.');
      nameInput.current?.focus();
      return false;
    }
    const check = toRule(current.root);
    if (!check.rule) {
      setSaveError(`Fix the rule first: ${check.errors[0] ?? 'it is not valid'}.`);
      return false;
    }
    setSaving(true);
    try {
      const saved = await saveDraft();
      setSaveError(null);
      toast('success', `Saved “${saved.name}”.`);
      return true;
    } catch (err) {
      setSaveError(errorMessage(err));
      return false;
    } finally {
      setSaving(false);
    }
  }, [saveDraft]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  const onRootChange = useCallback((root: EditGroup) => setDraft({ root }), [setDraft]);

  if (!draft || !built) return null;
  const count = conditionCount(draft.root);

  return (
    <div className="screen builder" data-testid="segment-builder">
      <header className="builder-header">
        <div className="builder-title">
          <button type="button" className="link back" onClick={showList}>
            ← Segments
          </button>
          <input
            ref={nameInput}
            className="title-input"
            type="text"
            aria-label="Segment name"
            placeholder="Name this segment"
            value={draft.name}
            maxLength={200}
            onChange={(e) => setDraft({ name: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void save();
            }}
          />
          <input
            className="description-input"
            type="text"
            aria-label="Description"
            placeholder="What is this segment for? (optional)"
            value={draft.description}
            maxLength={2000}
            onChange={(e) => setDraft({ description: e.target.value })}
          />
        </div>
        <div className="header-actions">
          <span className="save-state muted" aria-live="polite" data-testid="save-state">
            {dirty ? (draft.id ? 'Unsaved changes' : 'Not saved yet') : draft.id ? 'Saved' : ''}
          </span>
          {draft.id === null ? (
            <button type="button" className="ghost" onClick={() => setTemplateOpen(true)}>
              Start from a template
            </button>
          ) : null}
          <button type="button" className="primary" onClick={() => void save()} disabled={saving} title={`Save (${MOD}+S)`}>
            {saving ? 'Saving…' : 'Save'} <kbd className="on-accent">{MOD} S</kbd>
          </button>
        </div>
      </header>

      {pending ? (
        <div className="notice pending-bar" role="alertdialog" aria-labelledby="pending-text" tabIndex={-1} ref={pendingBar}>
          <div>
            <strong id="pending-text">Unsaved changes to “{draft.name.trim() || 'this segment'}”</strong>
            <p>Save them before you {pending.label}?</p>
          </div>
          <div className="card-actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                void save().then((ok) => ok && resolvePending('continue'));
              }}
            >
              Save and continue
            </button>
            <button type="button" onClick={() => resolvePending('continue')}>
              Discard changes
            </button>
            <button type="button" className="ghost" onClick={() => resolvePending('stay')}>
              Keep editing
            </button>
          </div>
        </div>
      ) : null}

      {saveError ? (
        <p className="error-banner" role="alert" data-testid="save-error">
          {saveError}
        </p>
      ) : null}

      <div className="builder-grid">
        <div className="builder-main">
          <section className="card sentence-card" aria-labelledby="sentence-title">
            <h3 id="sentence-title" className="eyebrow">
              In words
            </h3>
            <p className={sentence ? 'sentence' : 'sentence muted'} data-testid="rule-sentence" aria-live="polite">
              {sentence ?? 'The rule has something to fix (see below).'}
            </p>
          </section>
          <section className="card rule-card" aria-label="Rule">
            <RuleEditor root={draft.root} onChange={onRootChange} errors={built.errors} catalog={catalog ?? []} traits={traits} segments={others} />
            <div aria-live="polite" className="rule-status">
              {built.errors.length > 0 ? (
                <div className="rule-errors" data-testid="rule-errors">
                  <strong>{built.errors.length === 1 ? 'One thing to fix' : `${built.errors.length} things to fix`}</strong>
                  <ul>
                    {built.errors.map((m) => (
                      <li key={m}>{m}</li>
                    ))}
                  </ul>
                </div>
              ) : count > 0 ? (
                <p className="muted small-text">
                  {count === 1 ? 'One condition' : `${count} conditions`} · the size updates as you type
                </p>
              ) : null}
            </div>
          </section>
          <SegmentTrend rule={built.rule} />
        </div>
        <aside className="builder-side" aria-label="Who is in it">
          <LivePanel rule={built.rule} hasErrors={built.errors.length > 0} />
        </aside>
      </div>
    </div>
  );
}
