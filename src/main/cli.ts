/**
 * The `guidepost` command line. Every command takes --db <file> and --json; with --json it prints
 * exactly one JSON object on stdout, and errors as {"error": "..."} with exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createBackend } from './api';
import { openCache } from './db/connection';
import { resolveDbPath } from './paths';
import { APP_VERSION } from './version';
import { ApiError } from '../shared/errors';

interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  json: boolean;
  /** Progress for people, on stderr so stdout stays one JSON object. */
  note: (line: string) => void;
}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<{ data: object; text: string }>;
}

const common: NonNullable<ParseArgsConfig['options']> = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function withBackend<T>(ctx: CommandContext, use: (backend: ReturnType<typeof createBackend>) => Promise<T>): Promise<T> {
  const { db, path } = openCache(resolveDbPath(ctx.values.db as string | undefined));
  const backend = createBackend({ db, path });
  return use(backend).finally(() => db.close());
}

const commands: Record<string, Command> = {
  demo: {
    summary: 'Fill a cache with the demo workspace (50,000 users, about 1,000,000 events).',
    usage: 'guidepost demo [--db <file>] [--json]',
    options: {},
    run: (ctx) =>
      withBackend(ctx, async ({ handlers }) => {
        const started = Date.now();
        if (!ctx.json) ctx.note('Generating the demo workspace…');
        const result = await handlers.createDemo({});
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const text = result.created
          ? `Demo workspace created: ${result.users.toLocaleString('en-US')} users, ${result.events.toLocaleString('en-US')} events (${seconds} s).`
          : `The demo workspace is already there (${result.users.toLocaleString('en-US')} users, ${result.events.toLocaleString('en-US')} events); nothing changed.`;
        return { data: result, text };
      }),
  },
  status: {
    summary: 'Show what the cache holds and its "data as of" instant.',
    usage: 'guidepost status [--db <file>] [--json]',
    options: {},
    run: (ctx) =>
      withBackend(ctx, async ({ handlers }) => {
        const status = await handlers.getStatus({});
        const asOf = status.dataAsOf === null ? 'no data yet' : new Date(status.dataAsOf).toISOString();
        const text = [
          `Cache:       ${status.path}`,
          `Size:        ${(status.sizeBytes / 1048576).toFixed(1)} MB`,
          `Users:       ${status.users.toLocaleString('en-US')}`,
          `Events:      ${status.events.toLocaleString('en-US')}`,
          `Data as of:  ${asOf}${status.dataAsOfSource ? ` (${status.dataAsOfSource})` : ''}`,
        ].join('\n');
        return { data: status, text };
      }),
  },
};

function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
  return [
    `guidepost ${APP_VERSION}: the Guidepost command line`,
    '',
    'Usage: guidepost <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command:',
    '  --db <file>   the cache file (default: $GUIDEPOST_DB, else the app\'s data folder)',
    '  --json        print one JSON object on stdout; errors as {"error": "..."} with exit code 2',
    '  --help        this help, or a command\'s own with `guidepost <command> --help`',
    '  --version     the version',
  ].join('\n');
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs the CLI and returns its exit code; the caller sets process.exitCode. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const fail = (message: string): number => {
    if (json) io.stdout(JSON.stringify({ error: message }));
    else io.stderr(`guidepost: ${message}`);
    return 2;
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(json ? JSON.stringify({ version: APP_VERSION }) : APP_VERSION);
    return 0;
  }
  const command = commands[name];
  if (!command) return fail(`unknown command "${name}". Run \`guidepost --help\` for the list.`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...common, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    return fail(`${(err as Error).message}\nUsage: ${command.usage}`);
  }
  if (parsed.values.help) {
    io.stdout(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    const result = await command.run({
      positionals: parsed.positionals,
      values: parsed.values as CommandContext['values'],
      json,
      note: (line) => io.stderr(line),
    });
    io.stdout(json ? JSON.stringify(result.data) : result.text);
    return 0;
  } catch (err) {
    return fail(err instanceof ApiError || err instanceof Error ? err.message : String(err));
  }
}

const isEntry = process.argv[1] !== undefined && /cli\.(m?js|ts)$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
