import { describe, expect, it } from 'vitest';
import { conflictingDuplicatesNote, erasedNote, identityNote, replacedTracksNote } from '../../src/shared/import-notes';

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

describe('identityNote', () => {
  it('says nothing without alias or group calls or identity conflicts', () => {
    expect(identityNote(undefined)).toBeNull();
    expect(identityNote({ conflictingDuplicates: 2 })).toBeNull();
  });

  it('counts the calls applied and the anonymous ids that stayed with their first user', () => {
    expect(identityNote({ identityCalls: 1 })).toBe('1 alias and group call was applied to identities and accounts (they store no event).');
    expect(identityNote({ identityCalls: 1200, identityConflicts: 1 })).toBe(
      '1,200 alias and group calls were applied to identities and accounts (they store no event). ' +
        '1 anonymous id was seen with another userId than the user it stays with (the first linked); only an alias call merges two known users.',
    );
    expect(identityNote({ identityConflicts: 3 })).toBe(
      '3 anonymous ids were seen with another userId than the user they stay with (the first linked); only an alias call merges two known users.',
    );
  });
});

describe('erasedNote', () => {
  it('says nothing when no user was erased and no record skipped', () => {
    expect(erasedNote(undefined)).toBeNull();
    expect(erasedNote({ erasedSkipped: 0, usersErased: 0 })).toBeNull();
  });

  it('counts users erased by markers and records skipped, in the singular or the plural', () => {
    expect(erasedNote({ erasedSkipped: 1 })).toBe(
      '1 record was skipped: its user was erased after it was recorded, and erased users are not brought back.',
    );
    expect(erasedNote({ usersErased: 2, erasedSkipped: 1500 })).toBe(
      '2 users were erased on the delivery server and removed from the cache, with every id merged into them. ' +
        '1,500 records were skipped: their users were erased after they were recorded, and erased users are not brought back.',
    );
  });
});
