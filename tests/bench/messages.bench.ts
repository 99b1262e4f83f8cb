/**
 * npm run bench:messages: the messages' figures on the demo workspace (50,000 users, ~1M events), timed
 * through the real path. Each figure is one entry of FIGURES: add one there (a name, a target and a
 * function to time) and it is run, timed and printed like the others.
 *
 * - results with lift: messageLift for the demo upsell (goal plan_upgraded within 14 days, 10% holdout):
 *   its groups from message_assigned, conversions, curves and the persona and segment splits; target < 150 ms.
 *
 * Prints median and p95 of BENCH_RUNS runs (default 9) after one warm-up run.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache } from '../../src/main/db/connection';
import { UPSELL_MESSAGE_ID } from '../../src/main/demo/example-messages';
import { DEMO_AS_OF, generateDemo } from '../../src/main/demo/generate';
import { messageLift } from '../../src/main/messages/lift';
import { createMessageStore } from '../../src/main/messages/store';
import type { MessageDraft } from '../../src/shared/messages/model';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const dir = join(tmpdir(), 'guidepost-bench');
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, 'messages-demo.db');
const asOf = DEMO_AS_OF;

const { db } = openCache(dbPath);
if (db.prepare('SELECT count(*) FROM users').pluck().get() === 0) {
  process.stdout.write('Generating the demo workspace…\n');
  await generateDemo(db);
  db.exec('ANALYZE');
}
const segments = new SegmentService(db, () => asOf);
segments.warmDerived();
const workshops = new WorkshopService(db, () => asOf, segments);
const deps = { db, segments, workshops, asOf };
const upsell = createMessageStore(db).get(UPSELL_MESSAGE_ID);
if (!upsell) throw new Error(`the demo has no message ${UPSELL_MESSAGE_ID}`);
const draft = JSON.parse(upsell.document) as MessageDraft;

interface Figure {
  name: string;
  /** The target in ms, printed beside the median. */
  targetMs: number;
  /** Runs once; what it returns is printed after the timings (a line of what was computed). */
  run(): string;
}

export const FIGURES: Figure[] = [
  {
    name: 'results with lift (demo upsell)',
    targetMs: 150,
    run: () => {
      const r = messageLift(deps, draft);
      return `${r.exposed.users} exposed vs ${r.holdout.users} held out; ${r.sentence ?? r.caution ?? ''}`;
    },
  },
];

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

for (const figure of FIGURES) {
  const said = figure.run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    figure.run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  const verdict = median < figure.targetMs ? 'within' : 'OVER';
  process.stdout.write(
    `${figure.name}: median ${median.toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms over ${RUNS} runs (target < ${figure.targetMs} ms: ${verdict})\n  ${said}\n`,
  );
}
db.close();
