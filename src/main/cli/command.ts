/** What every command of the `guidepost` command line is, and the small helpers they share. */
import { readFileSync, statSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { conflictingDuplicatesNote, erasedNote, identityNote, sampledOutNote } from '../../shared/import-notes';
import type { ImportDetails, JobInfo } from '../../shared/types';
import { parseSamplePercent } from '../../shared/user-sample';

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

/** The line import and sync print about erased users removed or skipped, if any. */
export function erasedText(details: ImportDetails | undefined): string[] {
  const note = erasedNote(details);
  return note === null ? [] : [`  ${note}`];
}

/** The records left out of a sampled cache, as the CLI prints them. */
export function sampledOutText(details: ImportDetails | undefined): string[] {
  const note = sampledOutNote(details);
  return note === null ? [] : [`  ${note}`];
}

/**
 * `--sample <percent>` as import and sync take it: the share of users the cache keeps, fixed by its
 * first records (docs/IMPORT.md, "A sample of users"); undefined when not given (every user).
 */
export function sampleOption(ctx: CommandContext): number | undefined {
  const text = ctx.values.sample as string | undefined;
  if (text === undefined) return undefined;
  const parsed = parseSamplePercent(text);
  if (typeof parsed === 'string') throw new Error(`--sample: ${parsed}.`);
  return parsed;
}

export interface SecretOption {
  /** The flag that takes the secret itself (`token` for --token). */
  flag: string;
  /** The flag that names a file holding it (`token-file`). */
  fileFlag: string;
  /** The environment variable that holds it, if any. */
  envVar?: string;
  /**
   * True for a value that is public by design (the delivery server's public key sits in every customer
   * page): no warning for the flag and no permission check on the file.
   */
  public?: boolean;
}

/**
 * A secret from the environment, a file (--x-file) or, still accepted, the flag itself. A secret on the
 * command line is visible to every user of the machine in `ps` and stays in shell history, so that form
 * prints a warning. A file readable by group or others is refused outright, as ssh refuses such a key:
 * the secret would be exposed the same way, and a warning on every run is easy to ignore.
 * Returns undefined when none of them is given.
 */
export function secretOption(ctx: CommandContext, option: SecretOption): string | undefined {
  const { flag, fileFlag, envVar } = option;
  const inline = ctx.values[flag];
  const file = ctx.values[fileFlag];
  if (typeof inline === 'string' && typeof file === 'string') throw new Error(`give --${flag} or --${fileFlag}, not both.`);
  if (typeof file === 'string') return readSecretFile(file, `--${fileFlag}`, option.public !== true);
  if (typeof inline === 'string') {
    if (option.public !== true) warnSecretFlag(ctx, option);
    return inline;
  }
  const fromEnv = envVar === undefined ? undefined : process.env[envVar];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** The warning for a secret given on the command line, naming the safer ways. */
function warnSecretFlag(ctx: CommandContext, { flag, fileFlag, envVar }: SecretOption): void {
  const instead = envVar === undefined ? `--${fileFlag}` : `${envVar} or --${fileFlag}`;
  ctx.note(`warning: a secret given with --${flag} is visible to other users of this machine (ps) and in shell history; use ${instead} instead.`);
}

/** A repeatable option's values (parseArgs gives an array; a single string is one value). */
function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * secretOption for several secrets at once (a key being rotated): the flag and the file flag may each be
 * repeated (options declared `multiple: true`), and the environment variable holds a comma-separated list.
 * The same rules: files must be private, and a secret as a flag prints a warning. Empty when none is given.
 */
export function secretListOption(ctx: CommandContext, option: SecretOption): string[] {
  const { flag, fileFlag, envVar } = option;
  const inline = listOf(ctx.values[flag]);
  const files = listOf(ctx.values[fileFlag]);
  if (inline.length > 0 && files.length > 0) throw new Error(`give --${flag} or --${fileFlag}, not both.`);
  if (files.length > 0) return files.map((file) => readSecretFile(file, `--${fileFlag}`));
  if (inline.length > 0) {
    warnSecretFlag(ctx, option);
    return inline;
  }
  return (envVar === undefined ? '' : (process.env[envVar] ?? ''))
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
}

/** The secret in a file: its content without the trailing newline; refused if others may read it. */
export function readSecretFile(path: string, flag: string, privateOnly = true): string {
  let mode: number;
  let content: string;
  try {
    mode = statSync(path).mode;
    content = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, { cause: err });
  }
  // Windows has no POSIX permission bits to check (its ACLs are left to the user).
  if (privateOnly && process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(
      `${flag}: ${path} is open to other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}), so the secret in it is not secret. ` +
        `Run \`chmod 600 ${path}\` and try again.`,
    );
  }
  const secret = content.replace(/\r?\n$/, '');
  if (secret === '') throw new Error(`${flag}: ${path} is empty.`);
  if (/[\r\n]/.test(secret)) throw new Error(`${flag}: ${path} holds more than one line; put the secret alone in it.`);
  return secret;
}
