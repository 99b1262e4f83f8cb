/**
 * The fields a modal's content is made of: title, body, image, call to action and dismiss label.
 * The upsell modal and the slideout (the modal's content in a corner card) both draw them; the banner
 * draws the call to action alone. `path` is where the content sits in the draft ("modal", "slideout"),
 * so each field shows the draft's issues at its own path.
 */
import { useContext } from 'react';
import type { ModalContent } from '../../../../shared/messages/model';
import { FieldErrors } from '../../ui/Field';
import { InputField, IssueField, IssuesContext } from './editor-fields';
import { issuesAt } from './model';

const ACTION_HINT = "The host page handles it: guidepost.on('action', …).";
export const MARKDOWN_HINT = '**bold**, *italic*, [links](https://…), lists with “- ”, blank lines between paragraphs.';

type Cta = ModalContent['cta'];

/** A call to action: its label, and whether it opens a URL or runs a product action the host page handles. */
export function CtaFields({ cta, path, onChange }: { cta: Cta; path: string; onChange(cta: Cta): void }) {
  const issues = useContext(IssuesContext);
  const mode = cta.action !== undefined ? 'action' : 'url';
  return (
    <>
      <div className="msg-grid three">
        <InputField label="Call to action label" path={`${path}.label`} value={cta.label} onChange={(label) => onChange({ ...cta, label })} />
        <IssueField label="It…" path={`${path}.mode`}>
          {(c) => (
            <select
              {...c}
              value={mode}
              onChange={(e) => {
                const { url: _url, action: _action, ...rest } = cta;
                onChange(e.target.value === 'action' ? { ...rest, action: 'open_billing' } : { ...rest, url: 'https://' });
              }}
            >
              <option value="url">opens a URL</option>
              <option value="action">runs a product action</option>
            </select>
          )}
        </IssueField>
        {mode === 'url' ? (
          <InputField label="Call to action URL" path={`${path}.url`} input={{ type: 'url', spellCheck: false }} value={cta.url ?? ''} onChange={(url) => onChange({ ...cta, url })} />
        ) : (
          <InputField label="Product action" path={`${path}.action`} hint={ACTION_HINT} input={{ spellCheck: false }} value={cta.action ?? ''} onChange={(action) => onChange({ ...cta, action })} />
        )}
      </div>
      {/* The "URL or action" refine lands on the call to action itself: shown under it when no field has its own issue. */}
      {Object.keys(issues).some((k) => k.startsWith(`${path}.`)) ? null : <FieldErrors errors={issuesAt(issues, path)} />}
    </>
  );
}

interface ModalFieldsProps<C extends ModalContent> {
  content: C;
  path: string;
  /** Merges the change into the content; a key set to undefined is left out. */
  set(change: Partial<C>): void;
}

export function ModalFields<C extends ModalContent>({ content, path, set }: ModalFieldsProps<C>) {
  const change = (partial: Partial<ModalContent>): void => set(partial as Partial<C>);
  return (
    <>
      <InputField label="Title" path={`${path}.title`} value={content.title} onChange={(title) => change({ title })} />
      <IssueField label="Body" path={`${path}.body`} hint={MARKDOWN_HINT}>
        {(c) => <textarea {...c} rows={5} value={content.body} onChange={(e) => change({ body: e.target.value })} />}
      </IssueField>
      <div className="msg-grid">
        <InputField
          label="Image URL (optional)"
          path={`${path}.imageUrl`}
          input={{ type: 'url', spellCheck: false, placeholder: 'https://…' }}
          value={content.imageUrl ?? ''}
          onChange={(v) => change({ imageUrl: v || undefined })}
        />
        <InputField
          label="Image description (alt text)"
          path={`${path}.imageAlt`}
          input={{ disabled: !content.imageUrl }}
          value={content.imageAlt ?? ''}
          onChange={(v) => change({ imageAlt: v || undefined })}
        />
      </div>
      <CtaFields cta={content.cta} path={`${path}.cta`} onChange={(cta) => change({ cta })} />
      <InputField label="Dismiss label" path={`${path}.dismissLabel`} value={content.dismissLabel} onChange={(dismissLabel) => change({ dismissLabel })} />
    </>
  );
}

/** Merges a change into content, leaving out the keys it sets to undefined (an emptied optional box). */
export function merged<C extends object>(content: C, change: Partial<C>): C {
  const next: Record<string, unknown> = { ...content, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete next[key];
  return next as C;
}
