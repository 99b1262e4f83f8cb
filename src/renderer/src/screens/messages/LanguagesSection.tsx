/**
 * The message's languages: its default language, translations added and removed by language tag, and
 * per translation every text of the content beside the default text, the ones still missing marked and
 * counted. A missing text is shown in the default language: a warning, never a refusal.
 */
import { useState, type FormEvent } from 'react';
import { Field, FieldErrors } from '../../ui/Field';
import { TabPanel, Tabs } from '../../ui/Tabs';
import { InputField, put, useIssuesAt, type SectionProps } from './editor-fields';
import { addLocale, directionOf, languageName, localeOf, localeProblem, missingCounts, removeLocale, setTranslation, translationRows, type TranslationRow } from './languages';

/** Texts longer than this are edited in a box of several lines. */
const LONG_TEXT = 80;

export function LanguagesSection({ draft, edit }: SectionProps) {
  const locales = Object.keys(draft.translations ?? {});
  const [picked, setPicked] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const counts = missingCounts(draft);
  const current = picked !== null && locales.includes(picked) ? picked : (locales[0] ?? null);
  const defaultLocale = localeOf(draft);
  const translationIssues = useIssuesAt('translations');

  const add = (e: FormEvent): void => {
    e.preventDefault();
    const problem = localeProblem(draft, typed);
    setAddError(problem);
    if (problem) return;
    const tag = typed.trim();
    edit((d) => addLocale(d, tag));
    setPicked(tag);
    setTyped('');
  };

  return (
    <section className="card msg-section" aria-labelledby="msg-languages">
      <h3 id="msg-languages">Languages</h3>
      <p className="muted hint">
        Each user sees the translation of the language the page passes to the SDK, else of their browser’s language, else the default language. Right-to-left
        languages such as Arabic and Hebrew are drawn right to left.
      </p>
      <div className="msg-grid">
        <InputField
          label="Default language (the content as written)"
          path="defaultLocale"
          hint={languageName(defaultLocale)}
          input={{ spellCheck: false, placeholder: 'en' }}
          value={draft.defaultLocale ?? ''}
          onChange={(tag) => edit((d) => put(d, 'defaultLocale', tag.trim() || undefined))}
        />
        <form className="lang-add" onSubmit={add} aria-label="Add a translation">
          <Field label="Add a translation (language tag)" errors={addError ? [addError] : []} hint="Such as fr, ar, he or pt-BR." name="translations.add">
            {(c) => (
              <div className="row">
                <input
                  {...c}
                  type="text"
                  className="w-num-wide"
                  spellCheck={false}
                  value={typed}
                  onChange={(e) => {
                    setTyped(e.target.value);
                    setAddError(null);
                  }}
                />
                <button type="submit">Add language</button>
              </div>
            )}
          </Field>
        </form>
      </div>
      <FieldErrors errors={translationIssues} testId="translation-errors" />
      {current !== null ? (
        <>
          <Tabs<string>
            label="Translations"
            idBase="msg-lang"
            items={locales.map((l) => ({ id: l, label: languageName(l), ...((counts[l] ?? 0) > 0 ? { badge: `${counts[l]} missing` } : {}) }))}
            value={current}
            onChange={setPicked}
          />
          <TabPanel idBase="msg-lang" tab={current}>
            <TranslationTable
              tag={current}
              rows={translationRows(draft, current)}
              missing={counts[current] ?? 0}
              defaultLocale={defaultLocale}
              onText={(path, text) => edit((d) => setTranslation(d, current, path, text))}
              onRemove={() => edit((d) => removeLocale(d, current))}
            />
          </TabPanel>
        </>
      ) : (
        <p className="muted small-text">No translations yet: everyone sees the default language.</p>
      )}
    </section>
  );
}

interface TranslationTableProps {
  tag: string;
  rows: TranslationRow[];
  missing: number;
  defaultLocale: string;
  onText(path: string, text: string): void;
  onRemove(): void;
}

function TranslationTable({ tag, rows, missing, defaultLocale, onText, onRemove }: TranslationTableProps) {
  const dir = directionOf(tag);
  return (
    <div className="lang-panel">
      <div className="row">
        <p className={missing > 0 ? 'lang-count missing' : 'lang-count'} aria-live="polite" data-testid="translation-missing">
          {missing > 0
            ? `${missing} of ${rows.length} ${rows.length === 1 ? 'text' : 'texts'} not translated into ${languageName(tag)}: ${missing === 1 ? 'it shows' : 'they show'} in ${languageName(defaultLocale)}.`
            : `All ${rows.length} texts translated.`}
        </p>
        <span className="spacer" />
        <button type="button" className="ghost small danger" onClick={onRemove}>
          Remove {languageName(tag)}
        </button>
      </div>
      <ul className="plain-list lang-rows">
        {rows.map((row) => (
          <li key={row.path} className={row.missing ? 'lang-row missing' : 'lang-row'} data-path={row.path}>
            <Field label={`${row.label}${row.missing ? ' — missing' : ''}`} errors={[]} hint={`${languageName(defaultLocale)}: ${row.source}`} name={`translations.${tag}.${row.path}`}>
              {(c) =>
                row.source.length > LONG_TEXT || row.source.includes('\n') ? (
                  <textarea {...c} rows={3} lang={tag} dir={dir} value={row.translated} onChange={(e) => onText(row.path, e.target.value)} />
                ) : (
                  <input {...c} type="text" lang={tag} dir={dir} value={row.translated} onChange={(e) => onText(row.path, e.target.value)} />
                )
              }
            </Field>
          </li>
        ))}
      </ul>
    </div>
  );
}
