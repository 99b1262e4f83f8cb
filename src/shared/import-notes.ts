/**
 * Sentences about an import's or a sync's report that the CLI prints and the Data area shows, written
 * once so both say the same thing.
 */
import type { ImportDetails } from './types';

/** Duplicates whose content differed from the stored record's, with a few of them, or null when none. */
export function conflictingDuplicatesNote(details: ImportDetails | undefined): string | null {
  const count = details?.conflictingDuplicates ?? 0;
  if (count === 0) return null;
  const examples = (details?.conflictExamples ?? []).map((e) => (e.line === undefined ? e.messageId : `line ${e.line} (${e.messageId})`));
  const which = count === 1 ? '1 duplicate carried' : `${count.toLocaleString('en-US')} duplicates carried`;
  return `${which} other content than the record stored under ${count === 1 ? 'its' : 'their'} messageId; the stored one was kept${examples.length > 0 ? `: ${examples.join(', ')}` : ''}.`;
}

/** Warehouse per-event rows that replaced the `tracks` row stored under their id, or null when none. */
export function replacedTracksNote(details: ImportDetails | undefined): string | null {
  const count = details?.replaced ?? 0;
  if (count === 0) return null;
  const rows = count === 1 ? '1 per-event table row' : `${count.toLocaleString('en-US')} per-event table rows`;
  return `${rows} replaced the tracks row${count === 1 ? '' : 's'} stored under ${count === 1 ? 'its' : 'their'} id, which lacked the event's properties (counted as imported).`;
}

/**
 * What identity did in an import or a sync (docs/IMPORT.md, "Identity"): the alias and group calls it
 * applied, which store no event, and the anonymous ids that stayed with their first user although a
 * record named another; null when neither happened.
 */
export function identityNote(details: ImportDetails | undefined): string | null {
  const calls = details?.identityCalls ?? 0;
  const conflicts = details?.identityConflicts ?? 0;
  const parts: string[] = [];
  if (calls > 0) {
    parts.push(`${calls.toLocaleString('en-US')} alias and group ${calls === 1 ? 'call was' : 'calls were'} applied to identities and accounts (they store no event).`);
  }
  if (conflicts > 0) {
    parts.push(
      `${conflicts === 1 ? '1 anonymous id was' : `${conflicts.toLocaleString('en-US')} anonymous ids were`} seen with another userId than the user ` +
        `${conflicts === 1 ? 'it stays' : 'they stay'} with (the first linked); only an alias call merges two known users.`,
    );
  }
  return parts.length === 0 ? null : parts.join(' ');
}

/**
 * What erasure did in an import or a sync (docs/IMPORT.md, "Erased users"): the users a delivery
 * server's erase markers removed from the cache, and the records of erased users skipped because they
 * predate the erasure; null when neither happened.
 */
export function erasedNote(details: ImportDetails | undefined): string | null {
  const skipped = details?.erasedSkipped ?? 0;
  const erased = details?.usersErased ?? 0;
  const parts: string[] = [];
  if (erased > 0) {
    parts.push(
      `${erased === 1 ? '1 user was' : `${erased.toLocaleString('en-US')} users were`} erased on the delivery server and removed from the cache, ` +
        'with every id merged into them.',
    );
  }
  if (skipped > 0) {
    parts.push(
      `${skipped === 1 ? '1 record was' : `${skipped.toLocaleString('en-US')} records were`} skipped: ` +
        `${skipped === 1 ? 'its user was erased after it was recorded' : 'their users were erased after they were recorded'}, and erased users are not brought back.`,
    );
  }
  return parts.length === 0 ? null : parts.join(' ');
}

/**
 * The records a sampled cache left out (docs/IMPORT.md, "A sample of users"): those of users outside
 * its sample; null when none were.
 */
export function sampledOutNote(details: ImportDetails | undefined): string | null {
  const count = details?.sampledOut ?? 0;
  if (count === 0) return null;
  return `${count === 1 ? '1 record was' : `${count.toLocaleString('en-US')} records were`} left out: ${count === 1 ? 'its user is' : 'their users are'} outside the cache's sample of users.`;
}
