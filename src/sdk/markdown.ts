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

/**
 * What one paragraph's parse has learned about its closers, so that no opener searches the same
 * stretch twice and the parse stays linear in the text, whatever it holds (a body of 20,000 `*a `
 * took seconds when each opener scanned the rest of the text anew). A search for a closer depends only
 * on where it starts: once it finds none from some position, it finds none from any later one.
 */
interface CloserMemo {
  /** Positions from which a search found no closer: later openers skip the search. */
  noTick: number;
  noStar: number;
  noDoubleStar: number;
  /** The first `](` at or after `from` (-1: none), kept for the `[`s that share it. */
  label: { from: number; at: number };
  /** For each position, the `)` that closes a link target starting there (-1: none); built on the first link. */
  targetEnds: Int32Array | null;
}

/** Inline spans of one paragraph or list item. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const memo: CloserMemo = { noTick: Infinity, noStar: Infinity, noDoubleStar: Infinity, label: { from: Infinity, at: -1 }, targetEnds: null };
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
      const close = i >= memo.noTick ? -1 : text.indexOf('`', i + 1);
      if (close < 0) memo.noTick = Math.min(memo.noTick, i);
      if (close > i + 1) {
        push({ t: 'code', v: text.slice(i + 1, close) });
        i = close + 1;
        continue;
      }
    } else if (ch === '*') {
      const mark = next === '*' ? '**' : '*';
      const close = closing(text, mark, i + mark.length, memo);
      if (close > 0) {
        push({ t: mark === '**' ? 'b' : 'i', c: parseInline(text.slice(i + mark.length, close)) });
        i = close + mark.length;
        continue;
      }
    } else if (ch === '[') {
      const label = labelEnd(text, i + 1, memo);
      // The label holds no other `[`: the next one, if any, lies past it.
      const nested = label >= 0 && text.indexOf('[', i + 1) < label && text.indexOf('[', i + 1) >= 0;
      const close = label < 0 || nested ? -1 : (memo.targetEnds ??= targetEnds(text))[label + 2] as number;
      if (close > 0) {
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
function closing(text: string, mark: '*' | '**', from: number, memo: CloserMemo): number {
  if (from >= text.length || /\s/.test(text[from] as string)) return -1;
  const searchedInVain = mark === '*' ? memo.noStar : memo.noDoubleStar;
  if (from >= searchedInVain) return -1;
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
  if (mark === '*') memo.noStar = from;
  else memo.noDoubleStar = from;
  return -1;
}

/** The first `](` at or after `from`, or -1; the `[`s before one `](` share one search. */
function labelEnd(text: string, from: number, memo: CloserMemo): number {
  const known = memo.label;
  if (known.from <= from && (known.at < 0 || known.at >= from)) return known.at;
  const at = text.indexOf('](', from);
  memo.label = { from, at };
  return at;
}

/**
 * For every start, the `)` that closes a link target beginning there, past balanced pairs inside it
 * (wiki URLs, `alert(1)`), or -1. The closer is the first `)` where the depth of parentheses drops
 * below the depth at the start: one pass from the right, remembering per depth the nearest `)` that
 * leaves it, answers every start at once (a scan per link was quadratic on `[a]((` repeated).
 */
function targetEnds(text: string): Int32Array {
  const n = text.length;
  const depth = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) depth[j + 1] = (depth[j] as number) + (text[j] === '(' ? 1 : text[j] === ')' ? -1 : 0);
  // Depths lie in [-n, n]: offset by n to index the array.
  const nearestLeaving = new Int32Array(2 * n + 1).fill(-1);
  const ends = new Int32Array(n + 1).fill(-1);
  for (let j = n - 1; j >= 0; j--) {
    if (text[j] === ')') nearestLeaving[(depth[j] as number) + n] = j;
    ends[j] = nearestLeaving[(depth[j] as number) + n] as number;
  }
  return ends;
}

/** The plain text of inline nodes (for labels and tests). */
export function inlineText(nodes: readonly Inline[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : n.t === 'code' ? n.v : inlineText(n.c))).join('');
}
