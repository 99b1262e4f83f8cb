import { describe, expect, it } from 'vitest';
import { conflictingDuplicatesNote, replacedTracksNote } from '../../src/shared/import-notes';

describe('conflictingDuplicatesNote', () => {
  it('says nothing when no duplicate carried other content', () => {
    expect(conflictingDuplicatesNote(undefined)).toBeNull();
    expect(conflictingDuplicatesNote({})).toBeNull();
    expect(conflictingDuplicatesNote({ conflictingDuplicates: 0 })).toBeNull();
  });

  it('counts them, in the singular or the plural, and names the examples by line where known', () => {
    expect(conflictingDuplicatesNote({ conflictingDuplicates: 1, conflictExamples: [{ messageId: 'm-1', line: 4 }] })).toBe(
      '1 duplicate carried other content than the record stored under its messageId; the stored one was kept: line 4 (m-1).',
    );
    expect(conflictingDuplicatesNote({ conflictingDuplicates: 1200, conflictExamples: [{ messageId: 'a' }, { messageId: 'b', line: 9 }] })).toBe(
      '1,200 duplicates carried other content than the record stored under their messageId; the stored one was kept: a, line 9 (b).',
    );
    expect(conflictingDuplicatesNote({ conflictingDuplicates: 3 })).toBe(
      '3 duplicates carried other content than the record stored under their messageId; the stored one was kept.',
    );
  });
});

describe('replacedTracksNote', () => {
  it('says how many per-event rows replaced a warehouse tracks row, and nothing when none did', () => {
    expect(replacedTracksNote(undefined)).toBeNull();
    expect(replacedTracksNote({ replaced: 0 })).toBeNull();
    expect(replacedTracksNote({ replaced: 1 })).toBe(
      "1 per-event table row replaced the tracks row stored under its id, which lacked the event's properties (counted as imported).",
    );
    expect(replacedTracksNote({ replaced: 2500 })).toBe(
      "2,500 per-event table rows replaced the tracks rows stored under their id, which lacked the event's properties (counted as imported).",
    );
  });
});
