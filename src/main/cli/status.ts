/** `guidepost status`: what the cache holds and its "data as of". */
import { withBackend } from './backend';
import type { Command } from './command';

export const statusCommand: Command = {
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
};
