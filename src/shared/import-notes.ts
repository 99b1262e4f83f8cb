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
