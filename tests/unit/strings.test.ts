import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detached } from '../../src/shared/strings';

describe('detached', () => {
  it('gives back exactly the text, whatever its UTF-16 code units (lone surrogates, controls, quotes)', () => {
    const anyText = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 }).map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(anyText, fc.nat(20), (text, cut) => {
        // As the import uses it: on a piece cut from a larger text.
        const piece = text.slice(Math.min(cut, text.length));
        expect(detached(piece)).toBe(piece);
      }),
      { numRuns: 2000 },
    );
    expect(detached('\ud800"\\\u0000 é €😀 x'.repeat(3))).toBe('\ud800"\\\u0000 é €😀 x'.repeat(3));
  });
});
