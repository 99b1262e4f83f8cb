/** `guidepost segment count|members`: a rule from a JSON file, counted or listed as of an instant. */
import { readFileSync } from 'node:fs';
import { formatEstimate, isEstimated, sampleNote } from '../../shared/estimate';
import { parseTimestamp } from '../../shared/event-spec';
import { withBackend } from './backend';
import type { Command } from './command';

export const segmentCommand: Command = {
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
        const { estimate, totalEstimate } = result;
        if (!isEstimated(estimate)) return { data: { count: result.count, total: result.total, asOf: iso }, text: `${result.count} of ${result.total} users as of ${iso}` };
        // A sampled cache: the scaled figures with their intervals, never the sample's own counts as if they were the whole.
        const grouped = (n: number): string => n.toLocaleString('en-US');
        return {
          data: { ...estimate, total: totalEstimate.count, ...(totalEstimate.ci95 ? { totalCi95: totalEstimate.ci95 } : {}), asOf: iso },
          text: `${formatEstimate(estimate, grouped)} of ${formatEstimate(totalEstimate, grouped)} users as of ${iso}, ${sampleNote(estimate.sampled)}`,
        };
      }
      return { data: { members: result.members, count: result.count }, text: result.members.join('\n') };
    }),
};
