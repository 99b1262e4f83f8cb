import { describe, expect, it } from 'vitest';
import { sampleCaution, SMALL_SAMPLE, worstHalfInterval } from '../../src/shared/sample-size';

describe('the small-sample rule', () => {
  it('cautions below 100 observations and not from 100 on; nothing for none', () => {
    expect(SMALL_SAMPLE).toBe(100);
    expect(sampleCaution(99, 'rate', 'users')).not.toBeNull();
    expect(sampleCaution(100, 'rate', 'users')).toBeNull();
    expect(sampleCaution(5000, 'score', 'answers')).toBeNull();
    expect(sampleCaution(0, 'rate', 'users')).toBeNull();
  });

  it('says how wide the 95% interval can be: ±98/√n points for a rate, ±196/√n for a score', () => {
    // The cases: Compare's 12% from 33 users, and 8 answers with an NPS of −50.
    expect(sampleCaution(33, 'rate', 'users')).toEqual({
      n: 33,
      halfInterval: 18,
      text: 'Only 33 users: this rate could be off by up to ±18 percentage points (95% interval). Read it with care.',
    });
    expect(sampleCaution(8, 'score', 'answers')?.text).toBe('Only 8 answers: this score could be off by up to ±70 points (95% interval). Read it with care.');
    expect(worstHalfInterval(100, 'rate')).toBe(10);
    expect(worstHalfInterval(100, 'score')).toBe(20);
    expect(worstHalfInterval(0, 'rate')).toBe(Infinity);
  });
});
