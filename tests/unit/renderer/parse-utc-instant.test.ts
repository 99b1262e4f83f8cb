import { describe, expect, it } from 'vitest';
import { formatUtcInput, parseUtcDay, parseUtcInstant, utcInstantProblem } from '../../../src/renderer/src/lib/format';

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

describe('the date fields around it (ISO, UTC)', () => {
  it('parseUtcDay reads a day alone, as the start of that UTC day', () => {
    expect(parseUtcDay('2026-06-30')).toBe(Date.UTC(2026, 5, 30));
    expect(parseUtcDay(' 2024-02-29 ')).toBe(Date.UTC(2024, 1, 29));
  });

  it.each(['2026-06-30 00:00', '2026-06-30T12:00', '06/30/2026', '2026-02-30', ''])('parseUtcDay refuses %j', (text) => expect(parseUtcDay(text)).toBeNull());

  it('formatUtcInput shows what the parsers read back, in UTC whatever the machine', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 59, 999);
    expect(formatUtcInput(ms, false)).toBe('2026-01-02');
    expect(formatUtcInput(ms, true)).toBe('2026-01-02 03:04');
    expect(parseUtcDay(formatUtcInput(ms, false))).toBe(Date.UTC(2026, 0, 2));
    expect(parseUtcInstant(formatUtcInput(ms, true))).toBe(Date.UTC(2026, 0, 2, 3, 4));
  });

  it('utcInstantProblem quotes the text and names the format the field takes', () => {
    expect(utcInstantProblem('06/30/2026', false)).toBe('“06/30/2026” is not a date: write it as yyyy-mm-dd (UTC), e.g. 2026-06-30.');
    expect(utcInstantProblem('tomorrow', true)).toBe('“tomorrow” is not a date: write it as yyyy-mm-dd or yyyy-mm-dd hh:mm (UTC), e.g. 2026-06-30 00:00.');
  });
});
