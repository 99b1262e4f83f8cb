/** The contract's demo method: the demo workspace, generated as a background job. */
import type { DemoHandlers } from '../../shared/contract/demo';
import type { WritingJobDeps } from '../jobs/writers';
import { generateDemo } from './generate';

export function createDemoHandlers({ db, clock, jobs, writers, afterWrite }: WritingJobDeps): DemoHandlers {
  return {
    startDemo: () => {
      writers.assertNone('generate the demo workspace');
      const { jobId } = jobs.start('demo', 'Generating the demo workspace', 'users', async (ctx) => {
        const result = await generateDemo(db, {
          now: clock(),
          onProgress: (p) => ctx.progress(p.users, p.totalUsers),
          yieldBetweenChunks: ctx.checkpoint,
        });
        afterWrite();
        return result.created
          ? `Demo workspace ready: ${result.users.toLocaleString('en-US')} users, ${result.events.toLocaleString('en-US')} events.`
          : 'The demo workspace was already there; nothing changed.';
      });
      return { jobId };
    },
  };
}
