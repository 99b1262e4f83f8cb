/**
 * Text the PDF's built-in fonts can show.
 *
 * The handout uses the standard Helvetica, which every PDF reader has, so nothing is embedded and the file
 * stays small. Its encoding is WinAnsi (Windows-1252): Latin-1 plus “smart quotes”, dashes, €, … and a few
 * more. pdfkit does not check: a character outside that set prints as garbage. So authored text is mapped
 * first: what WinAnsi has stays, accented letters it lacks lose their accent (ő → o), a few symbols get an
 * ASCII spelling (→ as ->), and anything else (emoji, CJK, …) becomes a visible '?', never a failure.
 */

/** The characters WinAnsi adds above Latin-1, at 0x80-0x9F. */
const WIN_ANSI_EXTRAS = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e,
  0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

const SPELLED: Readonly<Record<string, string>> = {
  '\u2192': '->',
  '\u2190': '<-',
  '\u2194': '<->',
  '\u21d2': '=>',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2260': '!=',
  '\u2248': '~',
  '\u2212': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2015': '-',
  '\u2032': "'",
  '\u2033': '"',
  '\u2044': '/',
  '\u2713': 'v',
  '\u2714': 'v',
  '\u2717': 'x',
  '\u2718': 'x',
};

/** Spaces of other widths read fine as a plain space. */
const SPACES = /[\u2000-\u200a\u202f\u205f\u3000]/;
/** Invisible joiners and modifiers that belong to a character already replaced (emoji sequences, skin tones). */
const SILENT: readonly (readonly [number, number])[] = [
  [0x200b, 0x200d], // zero-width space and joiners
  [0x2060, 0x2060], // word joiner
  [0xfe00, 0xfe0f], // variation selectors
  [0x1f3fb, 0x1f3ff], // skin-tone modifiers
  [0xe0020, 0xe007f], // tag characters (flag sequences)
];

function isSilent(cp: number): boolean {
  return SILENT.some(([from, to]) => cp >= from && cp <= to);
}

export const FALLBACK = '?';

function isWinAnsi(cp: number): boolean {
  return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRAS.has(cp);
}

/** Maps text to what Helvetica can print; line breaks become '\n', tabs a space, other control characters go. */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\n' || isWinAnsi(cp)) out += ch;
    else if (ch === '\t' || SPACES.test(ch)) out += ' ';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || isSilent(cp)) continue;
    else if (SPELLED[ch] !== undefined) out += SPELLED[ch];
    else {
      const plain = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += plain !== '' && [...plain].every((c) => isWinAnsi(c.codePointAt(0) ?? 0)) ? plain : FALLBACK;
    }
  }
  return out;
}
