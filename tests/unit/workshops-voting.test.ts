/**
 * Step 4's dot voting as pure logic: the balance and its wording (never a negative count, even for a
 * document that carries more dots than the rule), and the order the list keeps while the room votes.
 */
import { describe, expect, it } from 'vitest';
import { DOTS_PER_PARTICIPANT, dotsBalance, dotsBalanceText, keepOrder } from '../../src/shared/workshop/voting';

const withVotes = (...votes: Record<string, number>[]) => ({ opportunities: votes.map((v) => ({ votes: v })) }) as Parameters<typeof dotsBalance>[0];

describe('dotsBalance and its text', () => {
  it('counts what one voter spent across the opportunities', () => {
    const w = withVotes({ ana: 1, bo: 2 }, { ana: 1 }, {});
    expect(dotsBalance(w, 'ana')).toEqual({ used: 2, limit: DOTS_PER_PARTICIPANT, left: 1, over: 0 });
    expect(dotsBalanceText(dotsBalance(w, 'ana'))).toBe('1 of 3 dots left');
    expect(dotsBalanceText(dotsBalance(w, 'nobody'))).toBe('3 of 3 dots left');
    expect(dotsBalanceText(dotsBalance(w, 'bo'))).toBe('1 of 3 dots left');
  });

  it('says plainly how far over the limit a voter is, never a negative count', () => {
    const seven = withVotes({ dana: 3 }, { dana: 2 }, { dana: 1 }, { dana: 1 });
    const b = dotsBalance(seven, 'dana');
    expect(b).toEqual({ used: 7, limit: 3, left: 0, over: 4 });
    expect(dotsBalanceText(b)).toBe('4 dots over the limit of 3: remove some');
    expect(dotsBalanceText(dotsBalance(withVotes({ x: 4 }), 'x'))).toBe('1 dot over the limit of 3: remove one');
    expect(dotsBalanceText(dotsBalance(withVotes({ x: 3 }), 'x'))).toBe('0 of 3 dots left');
    expect(dotsBalanceText(dotsBalance(seven, 'dana'))).not.toMatch(/-\d/);
  });
});

describe('keepOrder', () => {
  const id = (s: string): string => s;
  it('keeps the order shown before, whatever the new ranking', () => {
    expect(keepOrder(['a', 'b', 'c'], ['c', 'a', 'b'], id)).toEqual(['a', 'b', 'c']);
  });
  it('puts rows not seen before last, in ranked order, and drops rows gone', () => {
    expect(keepOrder(['a', 'b', 'c'], ['e', 'c', 'd', 'a'], id)).toEqual(['a', 'c', 'e', 'd']);
  });
  it('is the ranking itself when nothing was shown before', () => {
    expect(keepOrder([], ['b', 'a'], id)).toEqual(['b', 'a']);
  });
});
