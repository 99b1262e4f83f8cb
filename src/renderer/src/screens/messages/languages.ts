/**
 * The languages of a draft, as the editor handles them: the default language, adding and removing a
 * translation locale, each translatable text beside its translation, and what each locale still lacks.
 * Pure steps over the draft; paths and matching are locale.ts's (the shared contract).
 */
import { isRightToLeft, LOCALE_PATTERN, missingTranslations, translatableTexts, translateContent } from '../../../../shared/messages/locale';
import { kindContent, type MessageDraft } from '../../../../shared/messages/model';
import { isChoiceQuestion } from './survey-edit';

export const DEFAULT_LOCALE = 'en';
/** The same limit as the schema's: at most this many translations per message. */
export const MAX_TRANSLATIONS = 20;

export const localeOf = (draft: Pick<MessageDraft, 'defaultLocale'>): string => draft.defaultLocale ?? DEFAULT_LOCALE;

/** "Arabic (ar)", "Portuguese (Brazil) (pt-BR)"; the tag alone when the platform has no name for it. */
export function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag);
    return name && name.toLowerCase() !== tag.toLowerCase() ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

/** What is wrong with a locale tag typed to add, or null when it can be added. */
export function localeProblem(draft: MessageDraft, typed: string): string | null {
  const tag = typed.trim();
  if (tag === '') return 'type a language tag such as fr, ar or pt-BR';
  if (!LOCALE_PATTERN.test(tag)) return `“${tag}” is not a language tag: write one such as fr, ar or pt-BR`;
  if (tag.toLowerCase() === localeOf(draft).toLowerCase()) return `${tag} is the default language: its texts are the content itself`;
  const existing = Object.keys(draft.translations ?? {});
  if (existing.some((l) => l.toLowerCase() === tag.toLowerCase())) return `${tag} is already translated`;
  if (existing.length >= MAX_TRANSLATIONS) return `at most ${MAX_TRANSLATIONS} translations`;
  return null;
}

/** The draft with an (empty) translation for `tag`; the draft unchanged when the tag cannot be added. */
export function addLocale(draft: MessageDraft, tag: string): MessageDraft {
  if (localeProblem(draft, tag) !== null) return draft;
  return { ...draft, translations: { ...(draft.translations ?? {}), [tag.trim()]: {} } };
}

/** The draft without `tag`'s translation; no translations left drops the field (an older draft's shape). */
export function removeLocale(draft: MessageDraft, tag: string): MessageDraft {
  const rest = Object.fromEntries(Object.entries(draft.translations ?? {}).filter(([l]) => l !== tag));
  const { translations: _t, ...without } = draft;
  return Object.keys(rest).length > 0 ? { ...without, translations: rest } : without;
}

/** Sets one text's translation; an empty text removes it (so it counts as missing again). */
export function setTranslation(draft: MessageDraft, tag: string, path: string, text: string): MessageDraft {
  const texts = { ...(draft.translations?.[tag] ?? {}) };
  if (text === '') delete texts[path];
  else texts[path] = text;
  return { ...draft, translations: { ...(draft.translations ?? {}), [tag]: texts } };
}

/** Drops every translation under a path prefix (a removed question's texts), in every locale. */
export function dropTranslationsUnder(draft: MessageDraft, prefix: string): MessageDraft {
  if (!draft.translations) return draft;
  const under = (path: string): boolean => path === prefix || path.startsWith(`${prefix}.`);
  const translations = Object.fromEntries(Object.entries(draft.translations).map(([l, texts]) => [l, Object.fromEntries(Object.entries(texts).filter(([p]) => !under(p)))]));
  return { ...draft, translations };
}

export interface TranslationRow {
  path: string;
  /** Where the text sits, in the editor's words: "Question 2 › choice 1", "Title". */
  label: string;
  source: string;
  translated: string;
  missing: boolean;
}

const FIELD_WORDS: Record<string, string> = {
  title: 'Title',
  body: 'Body',
  imageAlt: 'Image description',
  'cta.label': 'Call to action label',
  dismissLabel: 'Dismiss label',
  question: 'Question',
  lowLabel: 'Label for the lowest score',
  highLabel: 'Label for the highest score',
  'followUp.promoter': 'Follow-up for promoters',
  'followUp.passive': 'Follow-up for passives',
  'followUp.detractor': 'Follow-up for detractors',
  thankYou: 'Thank-you text',
  text: 'Text',
  placeholder: 'Placeholder',
  'other.label': 'Label for “other”',
};

/** A translation path in the editor's words; a survey's question and choice ids become their positions. */
export function translationPathLabel(draft: MessageDraft, path: string): string {
  const parts = path.split('.');
  if (draft.kind === 'survey' && parts[0] === 'questions' && draft.survey) {
    const at = draft.survey.questions.findIndex((q) => q.id === parts[1]);
    const question = draft.survey.questions[at];
    const where = question ? `Question ${at + 1}` : `Question “${parts[1]}”`;
    if (parts[2] === 'choices' && question && isChoiceQuestion(question)) {
      const choice = question.choices.findIndex((c) => c.id === parts[3]);
      return `${where} › choice ${choice >= 0 ? choice + 1 : `“${parts[3]}”`}`;
    }
    const field = parts.slice(2).join('.');
    return `${where} › ${field === 'text' ? 'question' : (FIELD_WORDS[field] ?? field).toLowerCase()}`;
  }
  if (draft.kind === 'banner' && path === 'text') return 'Banner text';
  return FIELD_WORDS[path] ?? path;
}

/** Every translatable text of the draft's content beside its translation in `tag`, in document order. */
export function translationRows(draft: MessageDraft, tag: string): TranslationRow[] {
  const texts = draft.translations?.[tag] ?? {};
  const missing = new Set(missingTranslations(kindContent(draft), texts));
  return translatableTexts(kindContent(draft)).map(([path, source]) => ({
    path,
    label: translationPathLabel(draft, path),
    source,
    translated: texts[path] ?? '',
    missing: missing.has(path),
  }));
}

/** How many texts each translation still lacks, by locale. */
export function missingCounts(draft: MessageDraft): Record<string, number> {
  const content = kindContent(draft);
  return Object.fromEntries(Object.entries(draft.translations ?? {}).map(([tag, texts]) => [tag, missingTranslations(content, texts).length]));
}

/** The draft's locales: the default first, then each translation. */
export function draftLocales(draft: MessageDraft): string[] {
  return [localeOf(draft), ...Object.keys(draft.translations ?? {})];
}

/** The content of the draft's kind as shown in `tag` (the default language: as written). */
export function contentIn(draft: MessageDraft, tag: string): unknown {
  const content = kindContent(draft);
  return tag === localeOf(draft) ? content : translateContent(content, draft.translations?.[tag]);
}

export const directionOf = (tag: string): 'rtl' | 'ltr' => (isRightToLeft(tag) ? 'rtl' : 'ltr');
