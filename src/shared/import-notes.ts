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
