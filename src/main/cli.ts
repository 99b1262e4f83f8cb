/**
 * The `guidepost` command line. Every command takes --db <file> and --json; with --json it prints
 * exactly one JSON object on stdout, and errors as {"error": "..."} with exit code 2.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseTimestamp } from '../shared/segment-spec';
import { openDeliveryDb } from '../delivery/db';
import { createDeliveryServer, DEFAULT_RATE_LIMIT } from '../delivery/server';
import { createBackend, type ApiDeps, type Backend } from './api';
import { memorySecrets } from './messages/secrets';
import type { MessageService } from './messages/service';
import { openCache } from './db/connection';
import { resolveDbPath } from './paths';
import { APP_VERSION } from './version';
import { ApiError } from '../shared/errors';
import type { Handlers } from '../shared/contract';
import type { JobInfo, JobRef } from '../shared/types';

interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  json: boolean;
  /** Progress for people, on stderr so stdout stays one JSON object. */
  note: (line: string) => void;
  /** A line on stdout now, for commands that keep running (they then return null). */
  out: (line: string) => void;
}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** What to print when done (and the exit code, 0 unless given); null when the command printed its own output. */
  run(ctx: CommandContext): Promise<{ data: object; text: string; exitCode?: number } | null>;
}

const common: NonNullable<ParseArgsConfig['options']> = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The import's parser thread: beside the built CLI in out/main, or its source when the CLI runs from source. */
function parserScript(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./ingest/parse-worker.ts', import.meta.url)
    : new URL('./parse-worker.js', import.meta.url);
}

interface CliBackend {
  handlers: Handlers;
  /** Messages and their outbox, for publishing with a server and token given on the command line. */
  messages: MessageService;
  /** A workshop's export into the folder --out names. */
  exportWorkshopTo: Backend['exportWorkshopTo'];
  /** Starts a job through the contract and resolves with its final state, reporting progress on the way. */
  runJob(start: () => Promise<JobRef> | JobRef, onProgress?: (job: JobInfo) => void): Promise<JobInfo>;
}

function withBackend<T>(ctx: CommandContext, use: (backend: CliBackend) => Promise<T>, extra: Partial<ApiDeps> = {}): Promise<T> {
  const { db, path } = openCache(resolveDbPath(ctx.values.db as string | undefined));
  const listeners = new Set<(job: JobInfo) => void>();
  const backend = createBackend({
    db,
    path,
    parserScript: parserScript(),
    // The CLI sends the outbox only when a command asks (message publish), never in the background.
    outbox: { autoStart: false },
    ...extra,
    emit: (name, payload) => {
      if (name === 'job') for (const listener of listeners) listener(payload as JobInfo);
    },
  });
  const { handlers, messages, exportWorkshopTo } = backend;
  const runJob: CliBackend['runJob'] = (start, onProgress) =>
    new Promise((resolve, reject) => {
      let jobId: string | null = null;
      const early: JobInfo[] = [];
      const listener = (job: JobInfo): void => {
        if (jobId === null) {
          early.push(job);
          return;
        }
        if (job.id !== jobId) return;
        // The job's first event carries no progress yet: nothing worth printing.
        if (job.state === 'running') {
          if (job.progress.done > 0 || (job.progress.records ?? 0) > 0) onProgress?.(job);
        }
        else {
          listeners.delete(listener);
          resolve(job);
        }
      };
      listeners.add(listener);
      Promise.resolve(start()).then(
        (ref) => {
          jobId = ref.jobId;
          for (const job of early.splice(0)) listener(job);
        },
        (err: unknown) => {
          listeners.delete(listener);
          reject(err);
        },
      );
    });
  return use({ handlers, messages, exportWorkshopTo, runJob }).finally(() => {
    backend.close();
    db.close();
  });
}

/** The built SDK the delivery server serves: out/sdk beside the built CLI's out/main, or from the source tree. */
function sdkFile(): string {
  return fileURLToPath(
    import.meta.url.endsWith('.ts') ? new URL('../../out/sdk/guidepost.js', import.meta.url) : new URL('../sdk/guidepost.js', import.meta.url),
  );
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function integerFlag(value: string | boolean | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, not "${String(value)}".`);
  }
  return n;
}

/** Throws with the job's own words unless it finished. */
function finished(job: JobInfo): JobInfo {
  if (job.state !== 'done') throw new Error(job.message ?? `${job.title} ${job.state}.`);
  return job;
}

const commands: Record<string, Command> = {
  demo: {
    summary: 'Fill a cache with the demo workspace (50,000 users, about 1,000,000 events).',
    usage: 'guidepost demo [--db <file>] [--json]',
    options: {},
    run: (ctx) =>
      withBackend(ctx, async ({ handlers, runJob }) => {
        const started = Date.now();
        const before = await handlers.getStatus({});
        let created = false;
        if (!before.hasDemo) {
          const progress = progressPrinter(ctx);
          const users = (job: JobInfo): string => `  ${job.progress.done.toLocaleString('en-US')} of ${(job.progress.total ?? 0).toLocaleString('en-US')} users`;
          finished(await runJob(() => handlers.startDemo({}), (job) => progress(users(job))));
          created = true;
        }
        const status = await handlers.getStatus({});
        const result = { users: status.users, events: status.events, created };
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const text = result.created
          ? `Demo workspace created: ${result.users.toLocaleString('en-US')} users, ${result.events.toLocaleString('en-US')} events (${seconds} s).`
          : `The demo workspace is already there (${result.users.toLocaleString('en-US')} users, ${result.events.toLocaleString('en-US')} events); nothing changed.`;
        return { data: result, text };
      }),
  },
  import: {
    summary: 'Import a file of Segment-spec events (NDJSON, a JSON array, or CSV with a header).',
    usage: 'guidepost import <file> [--db <file>] [--format ndjson|json|csv] [--json]',
    options: { format: { type: 'string' } },
    run: (ctx) =>
      withBackend(ctx, async ({ handlers, runJob }) => {
        const [file, ...extra] = ctx.positionals;
        if (!file || extra.length > 0) throw new Error('name exactly one file to import.');
        const format = ctx.values.format;
        if (format !== undefined && format !== 'ndjson' && format !== 'json' && format !== 'csv') {
          throw new Error(`--format must be ndjson, json or csv, not "${String(format)}".`);
        }
        const progress = progressPrinter(ctx);
        const job = finished(
          await runJob(
            () => handlers.startImport({ path: file, ...(format ? { format } : {}) }),
            (j) => {
              const records = j.progress.records ?? 0;
              const rate = Math.round(j.progress.recordRate ?? 0);
              progress(`  ${records.toLocaleString('en-US')} records · ${(j.progress.done / 1048576).toFixed(1)} of ${((j.progress.total ?? 0) / 1048576).toFixed(1)} MB · ${rate.toLocaleString('en-US')} records/s`);
            },
          ),
        );
        const report = await handlers.getImportReport({ id: job.result?.reportId ?? 0 });
        const { imported, duplicates, rejected, errors, users, ms } = report;
        const lines = [
          `Imported ${imported.toLocaleString('en-US')} records in ${(ms / 1000).toFixed(1)} s ` +
            `(${duplicates.toLocaleString('en-US')} duplicates, ${rejected.toLocaleString('en-US')} rejected); ${users.toLocaleString('en-US')} users in the cache.`,
          ...errors.slice(0, 20).map((e) => `  line ${e.line}: ${e.reason}`),
          ...(errors.length > 20 ? [`  … and ${rejected - 20} more rejections (see --json)`] : []),
        ];
        return { data: { imported, duplicates, rejected, errors, users, ms }, text: lines.join('\n') };
      }),
  },
  sync: {
    summary: 'Sync new events from a delivery server (GET /v1/events), resuming where the last sync stopped.',
    usage: 'guidepost sync --source <url> --token <token> [--db <file>] [--json]   (or GUIDEPOST_SYNC_TOKEN)',
    options: { source: { type: 'string' }, token: { type: 'string' } },
    run: (ctx) =>
      withBackend(ctx, async ({ handlers, runJob }) => {
        const source = ctx.values.source as string | undefined;
        const token = (ctx.values.token as string | undefined) ?? process.env.GUIDEPOST_SYNC_TOKEN;
        if (!token) throw new Error('give the source\'s token with --token or GUIDEPOST_SYNC_TOKEN.');
        const progress = progressPrinter(ctx);
        const job = finished(
          await runJob(
            () => handlers.startSync({ ...(source ? { source } : {}), token }),
            (j) => progress(`  ${(j.progress.records ?? 0).toLocaleString('en-US')} records in ${j.progress.done} pages`),
          ),
        );
        const report = await handlers.getImportReport({ id: job.result?.reportId ?? 0 });
        const fetched = report.imported + report.duplicates + report.rejected;
        const pages = job.progress.done;
        const data = { fetched, imported: report.imported, duplicates: report.duplicates, rejected: report.rejected, pages, ms: report.ms };
        const text =
          `Synced ${fetched.toLocaleString('en-US')} records in ${pages} pages (${(report.ms / 1000).toFixed(1)} s): ` +
          `${report.imported.toLocaleString('en-US')} new, ${report.duplicates.toLocaleString('en-US')} duplicates, ${report.rejected.toLocaleString('en-US')} rejected.`;
        return { data, text };
      }),
  },
  segment: {
    summary: 'Count a segment rule (segment count) or list its members (segment members) as of an instant.',
    usage: 'guidepost segment count|members --rule <rule.json> [--as-of <ISO instant>] [--db <file>] [--json]',
    options: { rule: { type: 'string' }, 'as-of': { type: 'string' } },
    run: (ctx) =>
      withBackend(ctx, async ({ handlers }) => {
        const [action, ...extra] = ctx.positionals;
        if ((action !== 'count' && action !== 'members') || extra.length > 0) throw new Error('say `segment count` or `segment members`.');
        const ruleFile = ctx.values.rule as string | undefined;
        if (!ruleFile) throw new Error('give the rule with --rule <rule.json>.');
        let rule: unknown;
        try {
          rule = JSON.parse(readFileSync(ruleFile, 'utf8'));
        } catch (err) {
          throw new Error(`cannot read the rule from ${ruleFile}: ${(err as Error).message}`, { cause: err });
        }
        const asOfText = ctx.values['as-of'] as string | undefined;
        let asOf: number | undefined;
        if (asOfText !== undefined) {
          const parsed = parseTimestamp(asOfText);
          if (typeof parsed === 'string') throw new Error(`--as-of: ${parsed}`);
          asOf = parsed;
        }
        const result = await handlers.segmentMembers({ rule, ...(asOf !== undefined ? { asOf } : {}) });
        const iso = new Date(result.asOf).toISOString();
        if (action === 'count') {
          return { data: { count: result.count, total: result.total, asOf: iso }, text: `${result.count} of ${result.total} users as of ${iso}` };
        }
        return { data: { members: result.members, count: result.count }, text: result.members.join('\n') };
      }),
  },
  workshop: {
    summary: 'List workshops, export one (pdf, csv, md or a .guidepost bundle), or import a .guidepost bundle.',
    usage:
      'guidepost workshop list [--archived] [--db <file>] [--json]\n' +
      '       guidepost workshop export --workshop <id> --format pdf|csv|md|bundle --out <dir> [--db <file>] [--json]\n' +
      '       guidepost workshop import <file.guidepost> [--db <file>] [--json]',
    options: { workshop: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, archived: { type: 'boolean', default: false } },
    run: (ctx) =>
      withBackend(ctx, async ({ handlers, exportWorkshopTo }) => {
        const [action, ...args] = ctx.positionals;
        if (action === 'list') {
          if (args.length > 0) throw new Error(`unexpected argument "${args[0]}".`);
          const list = await handlers.listWorkshops({ includeArchived: ctx.values.archived === true });
          const workshops = list.map((w) => ({ id: w.id, title: w.title, template: w.template, updatedAt: new Date(w.updatedAt).toISOString() }));
          const text =
            workshops.length === 0
              ? 'No workshops yet.'
              : workshops.map((w) => `${w.id}  ${w.title}  (${w.template}, updated ${w.updatedAt})`).join('\n');
          return { data: { workshops }, text };
        }
        if (action === 'export') {
          if (args.length > 0) throw new Error(`unexpected argument "${args[0]}".`);
          const id = ctx.values.workshop as string | undefined;
          if (!id) throw new Error('name the workshop with --workshop <id> (see `guidepost workshop list`).');
          const format = ctx.values.format;
          if (format !== 'pdf' && format !== 'csv' && format !== 'md' && format !== 'bundle') {
            throw new Error(`--format must be pdf, csv, md or bundle, not ${format === undefined ? 'missing' : `"${String(format)}"`}.`);
          }
          const out = ctx.values.out as string | undefined;
          if (!out) throw new Error('name the folder to write into with --out <dir>.');
          const files = await exportWorkshopTo(id, format, resolve(out));
          return { data: { files }, text: files.join('\n') };
        }
        if (action === 'import') {
          const [file, ...extra] = args;
          if (!file || extra.length > 0) throw new Error('name exactly one .guidepost file to import.');
          const { id } = await handlers.importWorkshopBundle({ path: resolve(file) });
          return { data: { id }, text: `Imported the workshop as ${id}.` };
        }
        throw new Error('say `workshop list`, `workshop export` or `workshop import`.');
      }),
  },
  delivery: {
    summary: 'Run the delivery API server (messages for the in-app SDK, events for sync) until Ctrl+C or SIGTERM.',
    usage:
      'guidepost delivery --db <file> --admin-token <token> --public-key <key> [--port <port>] [--host <address>] ' +
      '[--allowed-origin <origin>...] [--rate-limit <requests per minute>] [--trust-proxy] [--json]\n' +
      '  (or GUIDEPOST_DELIVERY_DB, GUIDEPOST_ADMIN_TOKEN, GUIDEPOST_PUBLIC_KEY, GUIDEPOST_ALLOWED_ORIGINS=<origin>,<origin>)',
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'admin-token': { type: 'string' },
      'public-key': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      'rate-limit': { type: 'string' },
      'trust-proxy': { type: 'boolean', default: false },
    },
    run: async (ctx) => {
      if (ctx.positionals.length > 0) throw new Error(`unexpected argument "${ctx.positionals[0]}".`);
      const values = ctx.values as Record<string, string | boolean | string[] | undefined>;
      const file = (values.db as string | undefined) ?? process.env.GUIDEPOST_DELIVERY_DB;
      if (!file) throw new Error('name the delivery database with --db <file> (or GUIDEPOST_DELIVERY_DB). It is not the desktop cache.');
      const adminToken = (values['admin-token'] as string | undefined) ?? process.env.GUIDEPOST_ADMIN_TOKEN;
      const publicKey = (values['public-key'] as string | undefined) ?? process.env.GUIDEPOST_PUBLIC_KEY;
      if (!adminToken) throw new Error('give the admin token with --admin-token or GUIDEPOST_ADMIN_TOKEN.');
      if (!publicKey) throw new Error('give the public key with --public-key or GUIDEPOST_PUBLIC_KEY.');
      const flagged = values['allowed-origin'] as string[] | undefined;
      const allowedOrigins =
        flagged && flagged.length > 0
          ? flagged
          : (process.env.GUIDEPOST_ALLOWED_ORIGINS ?? '')
              .split(',')
              .map((o) => o.trim())
              .filter((o) => o !== '');
      const port = integerFlag(values.port as string | undefined, '--port', 0, 65535, 8787);
      const rateLimit = integerFlag(values['rate-limit'] as string | undefined, '--rate-limit', 0, 10_000_000, DEFAULT_RATE_LIMIT);
      const host = (values.host as string | undefined) ?? '127.0.0.1';

      const { db, path } = openDeliveryDb(file);
      let server: ReturnType<typeof createDeliveryServer>;
      let url: string;
      try {
        server = createDeliveryServer({
          db,
          adminToken,
          publicKey,
          allowedOrigins,
          rateLimit,
          sdkFile: sdkFile(),
          trustProxy: values['trust-proxy'] === true,
        });
        url = await server.listen(port, host);
      } catch (err) {
        db.close();
        throw err;
      }
      if (ctx.json) ctx.out(JSON.stringify({ url, db: path, allowedOrigins, rateLimit }));
      else {
        ctx.out(
          [
            `Guidepost delivery server listening on ${url}`,
            `  database:        ${path}`,
            `  allowed origins: ${allowedOrigins.length > 0 ? allowedOrigins.join(', ') : 'none (browsers on other sites cannot call the client endpoints)'}`,
            `  rate limit:      ${rateLimit === 0 ? 'off' : `${rateLimit} requests per minute per key and address`}`,
            '  Stop with Ctrl+C.',
          ].join('\n'),
        );
      }
      const signal = await untilStopped();
      await server.close();
      db.close();
      ctx.note(`Delivery server stopped (${signal}).`);
      return null;
    },
  },
  message: {
    summary: 'List messages, or publish them to a delivery server through the outbox (one attempt each).',
    usage:
      'guidepost message list [--archived] [--db <file>] [--json]\n' +
      '       guidepost message publish (--id <id> | --all) --server <url> --token <token> [--db <file>] [--json]   (or GUIDEPOST_TOKEN)',
    options: { id: { type: 'string' }, all: { type: 'boolean', default: false }, server: { type: 'string' }, token: { type: 'string' }, archived: { type: 'boolean', default: false } },
    run: (ctx) => {
      const [action, ...args] = ctx.positionals;
      if (args.length > 0) throw new Error(`unexpected argument "${args[0]}".`);
      if (action === 'list') {
        return withBackend(ctx, async ({ handlers }) => {
          const records = await handlers.listMessages({ includeArchived: ctx.values.archived === true });
          const messages = records.map((r) => ({
            id: r.message.id,
            kind: r.message.kind,
            status: r.status,
            segment: r.targetName ?? (r.message.target.type === 'segment' ? r.message.target.segmentId : r.message.target.personaId),
            version: r.publishedVersion,
          }));
          const text =
            messages.length === 0
              ? 'No messages yet.'
              : messages.map((m) => `${m.id}  ${m.kind}  ${m.status}  ${m.segment}  ${m.version === null ? 'never published' : `v${m.version}`}`).join('\n');
          return { data: { messages }, text };
        });
      }
      if (action === 'publish') {
        const id = ctx.values.id as string | undefined;
        const all = ctx.values.all === true;
        if ((id === undefined) === !all) throw new Error('name one message with --id <id>, or publish every message with --all.');
        const server = ctx.values.server as string | undefined;
        if (server !== undefined && !/^https?:\/\/[^\s]+$/.test(server)) throw new Error(`--server must be an http(s) URL, not "${server}".`);
        const token = (ctx.values.token as string | undefined) ?? process.env.GUIDEPOST_TOKEN;
        if (!token) throw new Error('give the delivery server\'s admin token with --token or GUIDEPOST_TOKEN.');
        const secrets = memorySecrets({ seed: { staging: token, production: token }, env: {} });
        return withBackend(
          ctx,
          async ({ handlers, messages }) => {
            const ids = all ? (await handlers.listMessages({})).map((r) => r.message.id) : [id as string];
            const queued = new Map<string, number>();
            const results: { id: string; state: 'published' | 'queued' | 'failed'; version: number | null; error?: string }[] = [];
            for (const messageId of ids) {
              try {
                queued.set(messageId, messages.publish(messageId, server === undefined ? {} : { url: server }).itemId);
              } catch (err) {
                results.push({ id: messageId, state: 'failed', version: null, error: (err as Error).message });
              }
            }
            await messages.sender.runDue({ ignoreWait: true, messageIds: new Set(queued.keys()) });
            for (const [messageId, itemId] of queued) {
              const item = messages.store.outboxGet(itemId);
              const state = item?.state === 'published' ? 'published' : item?.state === 'queued' || item?.state === 'sending' ? 'queued' : 'failed';
              results.push({
                id: messageId,
                state,
                version: item?.version ?? null,
                ...(state !== 'published' && item?.last_error ? { error: item.last_error } : {}),
              });
            }
            results.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
            const ok = results.every((r) => r.state === 'published' || r.state === 'queued');
            const text =
              results.length === 0
                ? 'No messages to publish.'
                : results.map((r) => `${r.id}  ${r.state}${r.version === null ? '' : ` v${r.version}`}${r.error ? `  ${r.error}` : ''}`).join('\n');
            return { data: { results }, text, exitCode: ok ? 0 : 2 };
          },
          { secrets },
        );
      }
      throw new Error('say `message list` or `message publish`.');
    },
  },
  outbox: {
    summary: 'List the outbox: message changes waiting for, or refused by, the delivery server.',
    usage: 'guidepost outbox [--db <file>] [--json]',
    options: {},
    run: (ctx) =>
      withBackend(ctx, async ({ handlers }) => {
        if (ctx.positionals.length > 0) throw new Error(`unexpected argument "${ctx.positionals[0]}".`);
        const list = await handlers.listOutbox({});
        const items = list.map((i) => ({
          id: i.id,
          messageId: i.messageId,
          op: i.op,
          state: i.state,
          attempts: i.attempts,
          nextAttemptAt: i.nextAttemptAt === null || i.state !== 'queued' ? null : new Date(i.nextAttemptAt).toISOString(),
          lastError: i.lastError,
        }));
        const text =
          items.length === 0
            ? 'The outbox is empty.'
            : items
                .map((i) => `#${i.id}  ${i.messageId}  ${i.op}  ${i.state}  ${i.attempts} attempts${i.nextAttemptAt ? `  next ${i.nextAttemptAt}` : ''}${i.lastError ? `  ${i.lastError}` : ''}`)
                .join('\n');
        return { data: { items }, text };
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

/** Prints a progress line to stderr at most once a second, so stdout stays one JSON object. */
function progressPrinter(ctx: CommandContext): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    ctx.note(line);
  };
}

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

const isEntry = process.argv[1] !== undefined && /cli\.(m?js|ts)$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
