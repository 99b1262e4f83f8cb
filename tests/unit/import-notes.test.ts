import { describe, expect, it } from 'vitest';
import { conflictingDuplicatesNote, identityNote } from '../../src/shared/import-notes';

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
