/** What every command of the `guidepost` command line is, and the small helpers they share. */
import type { ParseArgsConfig } from 'node:util';
import { conflictingDuplicatesNote, identityNote } from '../../shared/import-notes';
import type { ImportDetails, JobInfo } from '../../shared/types';

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  json: boolean;
  /** Progress for people, on stderr so stdout stays one JSON object. */
  note: (line: string) => void;
  /** A line on stdout now, for commands that keep running (they then return null). */
  out: (line: string) => void;
}

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** What to print when done (and the exit code, 0 unless given); null when the command printed its own output. */
  run(ctx: CommandContext): Promise<{ data: object; text: string; exitCode?: number } | null>;
}

/** Prints a progress line to stderr at most once a second, so stdout stays one JSON object. */
export function progressPrinter(ctx: CommandContext): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    ctx.note(line);
  };
}

/** Throws with the job's own words unless it finished. */
export function finished(job: JobInfo): JobInfo {
  if (job.state !== 'done') throw new Error(job.message ?? `${job.title} ${job.state}.`);
  return job;
}

/** The line import and sync print about duplicates whose content differed, if any. */
export function conflictingDuplicatesText(details: ImportDetails | undefined): string[] {
  const note = conflictingDuplicatesNote(details);
  return note === null ? [] : [`  ${note}`];
}

/** The line import and sync print about alias and group calls and identity conflicts, if any. */
export function identityText(details: ImportDetails | undefined): string[] {
  const note = identityNote(details);
  return note === null ? [] : [`  ${note}`];
}
