/**
 * The small markdown subset that message bodies are written in, parsed to a node tree (never to
 * HTML: the renderer builds DOM nodes from it, so authored text can never become markup).
 *
 *   paragraphs        separated by a blank line; single line breaks inside one are spaces
 *   - bullet lists    lines starting with "- " (an indented line continues the item above)
 *   **bold**  *italic*  `code`  [label](https://…)   (nestable, except inside code)
 *   \*  \`  \[  …     a backslash before punctuation keeps it literal
 *
 * A link whose target is not an absolute http(s) URL becomes its label as plain text. Anything
 * else, `<script>` included, is text.
 */

export type Inline = string | { t: 'b' | 'i'; c: Inline[] } | { t: 'code'; v: string } | { t: 'a'; href: string; c: Inline[] };
export type Block = { t: 'p'; c: Inline[] } | { t: 'ul'; items: Inline[][] };

/** Longer bodies are cut: a message is a few sentences, and the parser should stay cheap on anything. */
export const MAX_MARKDOWN_LENGTH = 20_000;

/** An absolute http(s) URL with no whitespace or control characters, or null. */
export function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const url = value.trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not pass
  return /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(url) ? url : null;
}

export function parseMarkdown(source: unknown): Block[] {
  if (typeof source !== 'string') return [];
  const blocks: Block[] = [];
  let para: string[] = [];
  let list: string[] | null = null;
  const end = (): void => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join(' ')) });
    if (list) blocks.push({ t: 'ul', items: list.map(parseInline) });
    para = [];
    list = null;
  };
  for (const raw of source.slice(0, MAX_MARKDOWN_LENGTH).split(/\r\n?|\n/)) {
    const line = raw.trim();
    const item = /^[-+] +(.*)$/.exec(line);
    if (line === '') end();
    else if (item) {
      if (para.length) end();
      (list ??= []).push(item[1] as string);
    } else if (list && /^\s/.test(raw)) list[list.length - 1] += ` ${line}`;
    else {
      if (list) end();
      para.push(line);
    }
  }
  end();
  return blocks;
}

/** Inline spans of one paragraph or list item. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  // Adjacent text (a dropped link's label beside plain text) stays one string.
  const add = (n: Inline): void => {
    if (typeof n !== 'string') out.push(n);
    else if (typeof out[out.length - 1] === 'string') out[out.length - 1] += n;
    else if (n) out.push(n);
  };
  const push = (node: Inline | Inline[]): void => {
    add(plain);
    plain = '';
    for (const n of Array.isArray(node) ? node : [node]) add(n);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '\\' && next !== undefined && /[\\`*_[\]()#+\-.!<>]/.test(next)) {
      plain += next;
      i += 2;
      continue;
    }
    if (ch === '`') {
      const close = text.indexOf('`', i + 1);
      if (close > i + 1) {
        push({ t: 'code', v: text.slice(i + 1, close) });
        i = close + 1;
        continue;
      }
    } else if (ch === '*') {
      const mark = next === '*' ? '**' : '*';
      const close = closing(text, mark, i + mark.length);
      if (close > 0) {
        push({ t: mark === '**' ? 'b' : 'i', c: parseInline(text.slice(i + mark.length, close)) });
        i = close + mark.length;
        continue;
      }
    } else if (ch === '[') {
      const label = text.indexOf('](', i + 1);
      const close = label < 0 ? -1 : closingParen(text, label + 2);
      if (close > 0 && !text.slice(i + 1, label).includes('[')) {
        const inner = parseInline(text.slice(i + 1, label));
        const href = safeUrl(text.slice(label + 2, close));
        push(href ? { t: 'a', href, c: inner } : inner);
        i = close + 1;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  push([]);
  return out;
}

/**
 * Where an emphasis that opened just before `from` closes: the next `mark` that follows text and is
 * not part of a longer run of stars (so `*a **b** c*` closes at the last star). -1 when it does not.
 */
function closing(text: string, mark: string, from: number): number {
  if (from >= text.length || /\s/.test(text[from] as string)) return -1;
  for (let j = text.indexOf(mark, from + 1); j > 0; j = text.indexOf(mark, j + 1)) {
    if (text[j - 1] === '\\' || /\s/.test(text[j - 1] as string)) continue;
    if (mark === '*' && (text[j + 1] === '*' || text[j - 1] === '*')) {
      // Skip a nested **bold** inside the italic span.
      if (text[j + 1] === '*') j += 1;
      continue;
    }
    // `***` closing bold: the italic inside ends first (`**bold *italic***`).
    return mark === '**' && text[j + 2] === '*' ? j + 1 : j;
  }
  return -1;
}

/** The `)` that closes a link target starting at `from`, past balanced pairs inside it (wiki URLs, `alert(1)`). */
function closingParen(text: string, from: number): number {
  let depth = 0;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '(') depth += 1;
    else if (text[j] === ')' && depth-- === 0) return j;
  }
  return -1;
}

/** The plain text of inline nodes (for labels and tests). */
export function inlineText(nodes: readonly Inline[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : n.t === 'code' ? n.v : inlineText(n.c))).join('');
}
