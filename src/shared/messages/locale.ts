/**
 * A message's languages. Zod-free and small, because the SDK bundles it.
 *
 * A message is authored in its default language; translations are flat maps from a text's path to
 * its translated text, per locale: { "fr": { "title": "…", "questions.q1.text": "…" } }. A path walks
 * the content's objects by key and its arrays by each element's `id` (questions, choices), so a path
 * survives reordering. Published, they travel inside the content as `locale` (the default) and
 * `translations`, so the server's content size cap counts every translation, and an SDK picks one
 * without another request.
 */

/** A BCP 47 tag as authors write them: "en", "pt-BR", "zh-Hant-TW". */
export const LOCALE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

/** Keys whose strings are never translated: ids, references, URLs and settings. */
const NOT_TEXT = new Set(['id', 'type', 'url', 'action', 'imageUrl', 'position', 'corner', 'style', 'goTo', 'next', 'choice', 'locale', 'translations']);

export type Translations = Record<string, Record<string, string>>;

/** Languages written right to left (by their language subtag). */
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'ha', 'he', 'iw', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi']);

export function isRightToLeft(locale: string): boolean {
  return RTL_LANGUAGES.has(locale.split('-')[0]?.toLowerCase() ?? '');
}

/**
 * The locale to show: the first wanted locale that is available exactly (case-insensitive), else the
 * first whose language part is (a wanted "fr-CA" takes "fr"; a wanted "fr" takes the first "fr-…"),
 * else the default.
 */
export function pickLocale(wanted: readonly string[], available: readonly string[], fallback: string): string {
  const lower = available.map((a) => a.toLowerCase());
  for (const w of wanted) {
    const exact = lower.indexOf(w.toLowerCase());
    if (exact >= 0) return available[exact] as string;
  }
  for (const w of wanted) {
    const language = w.split('-')[0]?.toLowerCase() ?? '';
    const same = lower.findIndex((a) => a === language || a.startsWith(`${language}-`));
    if (same >= 0) return available[same] as string;
  }
  return fallback;
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Every translatable text of a content value as [path, text], in document order; empty texts skipped. */
export function translatableTexts(content: unknown): [string, string][] {
  const out: [string, string][] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (value.trim() !== '') out.push([path, value]);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const id = typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : String(i);
        visit(item, childPath(path, id));
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) if (!NOT_TEXT.has(key)) visit(item, childPath(path, key));
    }
  };
  visit(content, '');
  return out;
}

/**
 * The content with every text that has a translation in `texts` replaced; the rest (and everything
 * that is not text) as it was. Returns a new value; the input is not changed.
 */
export function translateContent<T>(content: T, texts: Record<string, string> | undefined): T {
  if (!texts) return content;
  const visit = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return Object.prototype.hasOwnProperty.call(texts, path) ? texts[path] : value;
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        const id = typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : String(i);
        return visit(item, childPath(path, id));
      });
    }
    if (typeof value === 'object' && value !== null) {
      const copy: Record<string, unknown> = {};
      // defineProperty, not assignment: a key such as "__proto__" stays plain data.
      for (const [key, item] of Object.entries(value)) {
        Object.defineProperty(copy, key, { value: NOT_TEXT.has(key) ? item : visit(item, childPath(path, key)), enumerable: true, writable: true, configurable: true });
      }
      return copy;
    }
    return value;
  };
  return visit(content, '') as T;
}

/** Paths of the content's texts that a locale's translation lacks (what the editor flags). */
export function missingTranslations(content: unknown, texts: Record<string, string> | undefined): string[] {
  return translatableTexts(content)
    .map(([path]) => path)
    .filter((path) => !texts || typeof texts[path] !== 'string' || texts[path].trim() === '');
}
