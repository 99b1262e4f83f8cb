import { useCallback, useEffect, useMemo, useRef, useState, type InputHTMLAttributes, type Ref } from 'react';
import type { Rule } from '../../../../shared/segments/rule';
import { useShallow } from 'zustand/react/shallow';
import { describeRule } from '../../../../shared/segments/describe';
import { ConfirmUndo } from '../../ui/ConfirmUndo';
import { ErrorNote } from '../../ui/ErrorNote';
import { toast } from '../../ui/toast';
import { useBusyStep } from '../../ui/useBusyStep';
import { LivePanel, SegmentTrend } from './LivePanel';
import { builderView, conditionCount, toRule, type EditGroup } from './model';
import { RuleEditor } from './RuleEditor';
import { isDirty, useSegments } from './store';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
export const MOD = isMac ? '⌘' : 'Ctrl';

/** One segment, new or saved: its name, its rule as nested groups, the rule in words, and its live size. */
export function SegmentBuilder() {
  const { draft, segments, catalog, traits, accountTraits, pending } = useSegments(
    useShallow((s) => ({ draft: s.draft, segments: s.segments, catalog: s.catalog, traits: s.traits, accountTraits: s.accountTraits, pending: s.pending })),
  );
  const { setDraft, saveDraft, showList, resolvePending, setTemplateOpen } = useSegments.getState();
  const [saveError, setSaveError] = useState<string | null>(null);
  const { busy: saving, run: runSave } = useBusyStep(setSaveError);
  const nameInput = useRef<HTMLInputElement>(null);

  const built = useMemo(() => (draft ? toRule(draft.root) : null), [draft]);
  const dirty = isDirty(draft);
  const names = useMemo(() => new Map((segments ?? []).map((s) => [s.id, s.name])), [segments]);

  // Validation waits: what is missing in a condition is said once the focus leaves it (or on save).
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [showAll, setShowAll] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const eventNames = useMemo(() => (catalog ? new Set(catalog.map((e) => e.name)) : null), [catalog]);
  const view = useMemo(
    () => (draft && built ? builderView(built, draft.root, { touched, showAll, editing, eventNames }) : null),
    [built, draft, touched, showAll, editing, eventNames],
  );
  // The live figures keep the last rule that could be counted while the current one is typed or fixed.
  const lastGood = useLastGood(view?.liveRule ?? null, draft?.opened);
  const shownRule = view?.liveRule ?? lastGood;
  const stale = view !== null && view.liveRule === null && lastGood !== null;
  const sentence = shownRule ? describeRule(shownRule, (id) => names.get(id) ?? id) : null;
  const onFocusCondition = useCallback((uid: string) => setEditing(uid), []);
  const onLeaveCondition = useCallback((uid: string) => {
    setEditing((e) => (e === uid ? null : e));
    setTouched((t) => (t.has(uid) ? t : new Set([...t, uid])));
  }, []);
  const others = useMemo(() => (segments ?? []).filter((s) => s.id !== draft?.id), [segments, draft?.id]);

  // A freshly opened segment or template puts the cursor in the name.
  const opened = draft?.opened;
  useEffect(() => {
    if (opened === undefined) return;
    setSaveError(null);
    setTouched(new Set());
    setShowAll(false);
    setEditing(null);
    nameInput.current?.focus();
    if (draft?.name) nameInput.current?.select();
    // Only when another segment opens, not on every keystroke: `opened` says which.
  }, [opened]);

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
      setShowAll(true);
      setSaveError(`Fix the rule first: ${check.errors[0] ?? 'it is not valid'}.`);
      return false;
    }
    const saved = await runSave(saveDraft);
    if (!saved) return false;
    setSaveError(null);
    toast('success', `Saved “${saved.name}”.`);
    return true;
  }, [saveDraft, runSave]);

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

  if (!draft || !built || !view) return null;
  const count = conditionCount(draft.root);

  return (
    <div className="screen builder" data-testid="segment-builder">
      <header className="builder-header">
        <div className="builder-title">
          <button type="button" className="link back" onClick={showList}>
            ← Segments
          </button>
          <DraftText
            field="name"
            ref={nameInput}
            className="title-input"
            aria-label="Segment name"
            placeholder="Name this segment"
            maxLength={200}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void save();
            }}
          />
          <DraftText field="description" className="description-input" aria-label="Description" placeholder="What is this segment for? (optional)" maxLength={2000} />
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
        <ConfirmUndo
          // Each navigation asks anew, and the question takes the focus again.
          key={pending.asked}
          tone="pending"
          focusPrompt
          title={`Unsaved changes to “${draft.name.trim() || 'this segment'}”`}
          actions={
            <>
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
            </>
          }
        >
          Save them before you {pending.label}?
        </ConfirmUndo>
      ) : null}

      <ErrorNote error={saveError} banner testId="save-error" />

      <div className="builder-grid">
        <div className="builder-main">
          <section className="card sentence-card" aria-labelledby="sentence-title">
            <h3 id="sentence-title" className="eyebrow">
              In words
            </h3>
            <p
              className={sentence ? (stale ? 'sentence stale' : 'sentence') : 'sentence muted'}
              data-testid="rule-sentence"
              data-stale={stale ? 'true' : undefined}
              aria-live="polite"
            >
              {sentence ?? 'The rule has something to fix (see below).'}
            </p>
            {stale ? (
              <p className="muted small-text" data-testid="sentence-stale">
                {view.unfinished ? 'Finish the condition to update this.' : 'Fix the rule to update this.'}
              </p>
            ) : null}
          </section>
          <section className="card rule-card" aria-label="Rule">
            <RuleEditor
              root={draft.root}
              onChange={onRootChange}
              errors={view.errors}
              onFocusCondition={onFocusCondition}
              onLeaveCondition={onLeaveCondition}
              catalog={catalog ?? []}
              traits={traits}
              accountTraits={accountTraits}
              segments={others}
            />
            <div aria-live="polite" className="rule-status">
              {view.errors.length > 0 ? (
                <div className="rule-errors" data-testid="rule-errors">
                  <strong>{view.errors.length === 1 ? 'One thing to fix' : `${view.errors.length} things to fix`}</strong>
                  <ul>
                    {view.errors.map((m) => (
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
          <SegmentTrend rule={shownRule} stale={stale} />
        </div>
        <aside className="builder-side" aria-label="Who is in it">
          <LivePanel rule={shownRule} hasErrors={view.errors.length > 0} stale={stale ? (view.unfinished ? 'unfinished' : 'invalid') : null} name={draft.name} />
        </aside>
      </div>
    </div>
  );
}

/**
 * The last non-null value, kept while the current one is null; forgotten when `resetKey` changes
 * (another segment opened), so one segment's figures never stand in for another's.
 */
function useLastGood(value: Rule | null, resetKey: number | undefined): Rule | null {
  const [kept, setKept] = useState<{ key: number | undefined; rule: Rule | null }>({ key: resetKey, rule: value });
  if (kept.key !== resetKey) {
    setKept({ key: resetKey, rule: value });
    return value;
  }
  if (value !== null && value !== kept.rule) {
    setKept({ key: resetKey, rule: value });
    return value;
  }
  return value ?? kept.rule;
}

type DraftTextProps = { field: 'name' | 'description'; ref?: Ref<HTMLInputElement> } & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

/** The draft's name or description, edited in place in the header. */
function DraftText({ field, ...input }: DraftTextProps) {
  const value = useSegments((s) => s.draft?.[field] ?? '');
  return <input type="text" {...input} value={value} onChange={(e) => useSegments.getState().setDraft({ [field]: e.target.value })} />;
}
