/** `guidepost message list|publish|responses|backtest|results`: the messages, publishing them with one delivery attempt each, a survey's responses as CSV, a backtest over the history, and a message's results with lift. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESTIMATED_CONTROL_LABEL, type GroupRate, type MessageLiftResults } from '../../shared/messages/lift-results';
import { insecureTokenUrlReason } from '../../shared/secure-url';
import { memorySecrets } from '../messages/secrets';
import { withBackend } from './backend';
import { secretOption, type Command } from './command';
import { runMessageBacktest } from './message-backtest';

const ratePart = (g: GroupRate): { users: number; converted: number; rate: number | null } => ({ users: g.users, converted: g.converted, rate: g.rate });

/** The CLI's JSON: the groups, the lift and the window, as of the cache's data. */
function liftSummary(r: MessageLiftResults) {
  return {
    id: r.messageId,
    goal: r.goal,
    exposed: ratePart(r.exposed),
    holdout: ratePart(r.holdout),
    // 'estimated': no holdout exists, `holdout` is a control estimated from history, not a randomized holdout.
    control: r.control,
    lift: { absolute: r.lift.absolute, relative: r.lift.relative, ci95: r.lift.ci95 },
    windowDays: r.windowDays,
    asOf: new Date(r.asOf).toISOString(),
    neededPerGroup: r.neededPerGroup,
    sentence: r.sentence,
    caution: r.caution,
  };
}

function liftText(r: MessageLiftResults): string {
  const percent = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);
  const lines = [
    r.goal === null ? `${r.messageId}: no goal` : `${r.messageId}: goal “${r.goal.event}” within ${r.windowDays} days, as of ${new Date(r.asOf).toISOString()}`,
    `exposed  ${r.exposed.users} users  ${r.exposed.converted} converted  ${percent(r.exposed.rate)}`,
    `${r.control === 'estimated' ? 'control' : 'holdout'}  ${r.holdout.users} users  ${r.holdout.converted} converted  ${percent(r.holdout.rate)}${r.control === 'estimated' ? `  (${ESTIMATED_CONTROL_LABEL})` : ''}`,
  ];
  if (r.sentence) lines.push(r.sentence);
  if (r.caution) lines.push(r.caution);
  return lines.join('\n');
}

export const messageCommand: Command = {
  summary: "List messages, publish them to a delivery server through the outbox (one attempt each), write a survey's responses as CSV, backtest one over the history, or show its results with lift.",
  usage:
    'guidepost message list [--archived] [--db <file>] [--json]\n' +
    '       guidepost message publish (--id <id> | --all) --server <url> [--token-file <file>] [--db <file>] [--json]   (the admin token from GUIDEPOST_TOKEN or --token-file)\n' +
    '       guidepost message responses <id> --format csv --out <file> [--db <file>] [--json]   (a survey\'s responses: one row each, one column per question)\n' +
    '       guidepost message backtest <id> [--weeks 4] [--db <file>] [--json]\n' +
    '       guidepost message results <id> [--db <file>] [--json]   (exposed and holdout groups, their goal conversions and the lift with its 95% interval)',
  options: { id: { type: 'string' }, all: { type: 'boolean', default: false }, server: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' }, archived: { type: 'boolean', default: false }, format: { type: 'string' }, out: { type: 'string' }, weeks: { type: 'string' } },
  run: (ctx) => {
    const [action, ...args] = ctx.positionals;
    if (action === 'backtest') return runMessageBacktest(ctx, args);
    if (action === 'results') {
      const [id, ...rest] = args;
      if (id === undefined) throw new Error('name the message: `guidepost message results <id>`.');
      if (rest.length > 0) throw new Error(`unexpected argument "${rest[0]}".`);
      return withBackend(ctx, async ({ handlers }) => {
        const result = await handlers.messageLift({ id });
        return { data: liftSummary(result), text: liftText(result) };
      });
    }
    if (action === 'responses') {
      const [id, ...extra] = args;
      if (!id) throw new Error('name the survey message: `message responses <id>` (see `guidepost message list`).');
      if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}".`);
      const format = ctx.values.format ?? 'csv';
      if (format !== 'csv') throw new Error(`--format must be csv, not "${String(format)}".`);
      const out = ctx.values.out as string | undefined;
      if (!out) throw new Error('name the file to write with --out <file>.');
      return withBackend(ctx, async ({ handlers }) => {
        const { csv, responses } = await handlers.messageResponsesCsv({ id });
        // Past the contract on purpose: the person at the terminal names any file, which no window may.
        const file = resolve(out);
        writeFileSync(file, csv);
        return { data: { file, responses }, text: `Wrote ${responses} response${responses === 1 ? '' : 's'} to ${file}.` };
      });
    }
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
      const insecure = server === undefined ? null : insecureTokenUrlReason(server);
      if (insecure !== null) throw new Error(`--server: ${insecure}`);
      const token = secretOption(ctx, { flag: 'token', fileFlag: 'token-file', envVar: 'GUIDEPOST_TOKEN' });
      if (!token) throw new Error('give the delivery server\'s admin token in GUIDEPOST_TOKEN or a file named with --token-file.');
      // The token is this run's only: both environments hold it in memory, and nothing is stored.
      const secrets = memorySecrets({ seed: { staging: token, production: token }, env: {} });
      return withBackend(
        ctx,
        async ({ handlers }) => {
          const ids = all ? (await handlers.listMessages({})).map((r) => r.message.id) : [id as string];
          const results = await handlers.publishMessagesNow({ ids, ...(server === undefined ? {} : { url: server }) });
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
    throw new Error('say `message list`, `message publish`, `message responses <id>`, `message backtest <id>` or `message results <id>`.');
  },
};
