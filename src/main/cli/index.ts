/**
 * The `guidepost` command line: parses argv and hands it to the named command (one module each here).
 * Every command takes --db <file> and --json; with --json it prints exactly one JSON object on stdout,
 * and errors as {"error": "..."} with exit code 2. Commands on the cache go through the contract
 * (./backend.ts); `delivery` runs its own server.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiError } from '../../shared/errors';
import { APP_VERSION } from '../version';
import type { Command, CommandContext } from './command';
import { deliveryCommand } from './delivery';
import { demoCommand } from './demo';
import { importCommand } from './import';
import { messageCommand } from './message';
import { outboxCommand } from './outbox';
import { segmentCommand } from './segment';
import { statusCommand } from './status';
import { syncCommand } from './sync';
import { workshopCommand } from './workshop';

/** In the order `guidepost --help` lists them. */
const commands: Record<string, Command> = {
  demo: demoCommand,
  import: importCommand,
  sync: syncCommand,
  segment: segmentCommand,
  workshop: workshopCommand,
  delivery: deliveryCommand,
  message: messageCommand,
  outbox: outboxCommand,
  status: statusCommand,
};

const common: NonNullable<ParseArgsConfig['options']> = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
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
      out: (line) => io.stdout(line),
    });
    if (result !== null) io.stdout(json ? JSON.stringify(result.data) : result.text);
    return result?.exitCode ?? 0;
  } catch (err) {
    return fail(err instanceof ApiError || err instanceof Error ? err.message : String(err));
  }
}

// Run as a program: the built out/main/cli.js, or this file from source.
const isEntry = process.argv[1] !== undefined && /cli(\.m?js|[\\/]index\.ts)$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
