import { describe, expect, it } from 'vitest';
import { parseUtcInstant } from '../../../src/renderer/src/lib/format';

describe('parseUtcInstant (the Settings "data as of" field, ISO and UTC)', () => {
  it.each([
    ['2026-06-30', Date.UTC(2026, 5, 30)],
    ['2026-06-30 00:00', Date.UTC(2026, 5, 30)],
    ['2026-06-30T13:45', Date.UTC(2026, 5, 30, 13, 45)],
    ['  2024-02-29 23:59 ', Date.UTC(2024, 1, 29, 23, 59)],
  ])('reads %j', (text, ms) => expect(parseUtcInstant(text)).toBe(ms));

  it.each(['', '06/30/2026', '30.06.2026', '2026-6-30', '2026-02-30', '2025-02-29', '2026-13-01', '2026-06-30 24:00', '2026-06-30 12:60', '2026-06-30 12'])(
    'refuses %j',
    (text) => expect(parseUtcInstant(text)).toBeNull(),
  );
});
