import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inlineText, parseInline, parseMarkdown, safeUrl } from '../../src/sdk/markdown';
import { referenceParseInline } from './fixtures/markdown-reference';

describe('the SDK markdown subset', () => {
  it('splits paragraphs on blank lines and joins soft line breaks with a space', () => {
    expect(parseMarkdown('One line\nstill the first.\n\n\nSecond.')).toEqual([
      { t: 'p', c: ['One line still the first.'] },
      { t: 'p', c: ['Second.'] },
    ]);
    expect(parseMarkdown('a\r\n\r\nb')).toEqual([
      { t: 'p', c: ['a'] },
      { t: 'p', c: ['b'] },
    ]);
  });

  it('parses bold, italic and code, nested where it makes sense', () => {
    expect(parseInline('Go **Pro** for *more* `seats`')).toEqual([
      'Go ',
      { t: 'b', c: ['Pro'] },
      ' for ',
      { t: 'i', c: ['more'] },
      ' ',
      { t: 'code', v: 'seats' },
    ]);
    expect(parseInline('*really **big** deal*')).toEqual([{ t: 'i', c: ['really ', { t: 'b', c: ['big'] }, ' deal'] }]);
    expect(parseInline('**bold *and italic***')).toEqual([{ t: 'b', c: ['bold ', { t: 'i', c: ['and italic'] }] }]);
    // Code is literal: no emphasis or links inside.
    expect(parseInline('`**not bold** [x](https://a.b)`')).toEqual([{ t: 'code', v: '**not bold** [x](https://a.b)' }]);
  });

  it('leaves unmatched or spaced markers as text', () => {
    expect(parseInline('2 * 3 * 4')).toEqual(['2 * 3 * 4']);
    expect(parseInline('**open')).toEqual(['**open']);
    expect(parseInline('a `tick')).toEqual(['a `tick']);
    expect(parseInline('[label without target]')).toEqual(['[label without target]']);
    expect(parseInline('\\*not italic\\*')).toEqual(['*not italic*']);
  });

  it('keeps http(s) links, with formatted labels', () => {
    expect(parseInline('See [the **plans**](https://example.com/pricing?a=1).')).toEqual([
      'See ',
      { t: 'a', href: 'https://example.com/pricing?a=1', c: ['the ', { t: 'b', c: ['plans'] }] },
      '.',
    ]);
    expect(parseInline('[x]( http://example.com )')).toEqual([{ t: 'a', href: 'http://example.com', c: ['x'] }]);
  });

  it('turns links to any other scheme into their label as plain text', () => {
    for (const target of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.example', '/relative', 'https://a b']) {
      const nodes = parseInline(`before [click me](${target}) after`);
      expect(nodes, target).toEqual(['before click me after']);
    }
    expect(safeUrl('java\nscript:alert(1)')).toBeNull();
    expect(safeUrl('https://ok.example/\u0000')).toBeNull();
    expect(safeUrl(42)).toBeNull();
    expect(safeUrl('HTTPS://OK.example')).toBe('HTTPS://OK.example');
  });

  it('keeps HTML as text: there is no markup in the tree, only strings', () => {
    const blocks = parseMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> **hi**');
    expect(blocks).toEqual([
      { t: 'p', c: ['<script>alert(1)</script>'] },
      { t: 'p', c: ['<img src=x onerror=alert(1)> ', { t: 'b', c: ['hi'] }] },
    ]);
  });

  it('parses - bullet lists, with continuation lines and paragraphs around them', () => {
    expect(parseMarkdown('Pro gives you:\n- **unlimited** seats\n- SSO and\n  audit logs\n+ priority support\nAnd more.')).toEqual([
      { t: 'p', c: ['Pro gives you:'] },
      { t: 'ul', items: [[{ t: 'b', c: ['unlimited'] }, ' seats'], ['SSO and audit logs'], ['priority support']] },
      { t: 'p', c: ['And more.'] },
    ]);
    expect(parseMarkdown('-not a list')).toEqual([{ t: 'p', c: ['-not a list'] }]);
  });

  it('never throws on odd input and stays fast on pathological input', () => {
    expect(parseMarkdown(undefined)).toEqual([]);
    expect(parseMarkdown(null)).toEqual([]);
    expect(parseMarkdown({ body: 'x' })).toEqual([]);
    expect(parseMarkdown('')).toEqual([]);
    const nasty = parseMarkdown('[*'.repeat(20_000) + '**`'.repeat(5000));
    const first = nasty[0];
    expect(first?.t === 'p' && inlineText(first.c).length).toBeGreaterThan(0);
  });

  // The parser is linear (bench:sdk prints its time on hostile bodies); these pin that the linear
  // search for closers gives exactly the tree the old scan-per-opener parser gave.
  it('gives the same tree as the scan-per-opener parser it replaced, on any text', () => {
    const piece = fc.constantFrom('*', '**', '`', '[', ']', '(', ')', '](', '\\', ' ', 'a', 'b c', 'https://x.io', '***');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        expect(parseInline(text)).toEqual(referenceParseInline(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same tree on the hostile bodies that made the old parser quadratic', () => {
    for (const unit of ['*a ', '**a ', '`a ', '[', '[a](', '[a]((', '*a **b `c [d]( ', 'x) [a](b(c ']) {
      const text = unit.repeat(Math.ceil(3000 / unit.length));
      expect(parseInline(text), unit).toEqual(referenceParseInline(text));
    }
  });
});
