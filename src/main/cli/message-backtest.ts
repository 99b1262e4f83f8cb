/**
 * `guidepost message backtest <id> [--weeks 4]`: what the message would have done had it been live over
 * the last weeks (src/main/messages/backtest.ts), as JSON with ISO instants or as a few lines of text.
 */
import { MAX_BACKTEST_WEEKS, type MessageBacktest } from '../../shared/messages/model';
import { withBackend } from './backend';
import type { CommandContext } from './command';

const iso = (ts: number): string => new Date(ts).toISOString();
const day = (ts: number): string => iso(ts).slice(0, 10);
const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/** The JSON shape: the backtest with its instants as ISO 8601 text. */
export function backtestJson(result: MessageBacktest): object {
  const { from, to, impressionsPerWeek, ...rest } = result;
  return { ...rest, window: { from: iso(from), to: iso(to) }, impressionsPerWeek: impressionsPerWeek.map((w) => ({ ...w, weekStart: iso(w.weekStart) })) };
}

export function backtestText(result: MessageBacktest): string {
  const lines = [
    `Backtest of ${result.messageId} over ${result.weeks} ${result.weeks === 1 ? 'week' : 'weeks'} (${day(result.from)} to ${day(result.to)}), ` +
      `against ${result.competitors.length === 0 ? 'no other live message' : result.competitors.map((c) => `${c.id} (priority ${c.priority})`).join(', ')}`,
    `  ${result.impressions} impressions to ${result.usersReached} users (${result.replayed.users} users and ${result.replayed.requests} requests replayed)`,
    ...result.impressionsPerWeek.map((w) => `  week of ${day(w.weekStart)}: ${w.impressions} impressions, ${w.users} users`),
  ];
  if (result.blocked.byMessage.length === 0) lines.push('  blocked by no other message');
  else {
    lines.push(`  blocked: ${result.blocked.usersEver} users at least once, ${result.blocked.users} of them never reached`);
    for (const b of result.blocked.byMessage) {
      lines.push(`    by ${b.messageId} (${b.reason === 'priority' ? 'higher priority' : 'cooldown'}): ${b.users} users, ${b.times} times`);
    }
  }
  if (result.personas.length > 0) lines.push(`  personas reached: ${result.personas.map((p) => `${p.label} ${p.users}`).join(', ')}`);
  const goal = result.goal;
  if (goal) {
    lines.push(
      `  goal ${goal.event} within ${goal.withinDays} days: ${goal.converted} of ${goal.reached} reached users did it anyway (${percent(goal.rate)})` +
        (goal.windowOpen > 0 ? `; ${goal.windowOpen} still inside their window` : ''),
    );
  } else lines.push('  no goal: set one to see the baseline rate');
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

/** Runs `message backtest`; `args` are the positionals after the action. */
export function runMessageBacktest(ctx: CommandContext, args: readonly string[]): Promise<{ data: object; text: string }> {
  const [id, ...extra] = args;
  if (id === undefined) throw new Error('name the message: `message backtest <id> [--weeks 4]`.');
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}".`);
  const text = (ctx.values.weeks as string | undefined) ?? '4';
  const weeks = Number(text);
  if (!/^\d+$/.test(text) || weeks < 1 || weeks > MAX_BACKTEST_WEEKS) throw new Error(`--weeks must be a whole number from 1 to ${MAX_BACKTEST_WEEKS}, not "${text}".`);
  return withBackend(ctx, async ({ handlers }) => {
    const record = await handlers.getMessage({ id });
    const result = await handlers.messageBacktest({ message: record.message, weeks });
    return { data: backtestJson(result), text: backtestText(result) };
  });
}
