/** `guidepost demo`: fills a cache with the demo workspace, unless it is there already. */
import type { JobInfo } from '../../shared/types';
import { withBackend } from './backend';
import { finished, progressPrinter, type Command } from './command';

export const demoCommand: Command = {
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
};
