/**
 * npm run bench:sdk: builds the SDK, then prints the size of what a page loads: the core
 * (out/sdk/guidepost.js, the classic script, and out/sdk/guidepost.mjs, the ES module), all a page that
 * shows only modals and NPS surveys loads, against its budget of 8 KB gzipped; and the core with the
 * kinds chunk (out/sdk/guidepost-kinds.js, fetched once a survey, banner, slideout or translated message
 * is shown), against the budget of 14 KB gzipped for everything together. Raw and gzipped (zlib level
 * 9). Exits 1 when over a budget. Beside them, PostHog's and Formbricks' survey code as their own
 * maintainers published it (it cannot be measured here). Then the markdown parser on hostile
 * 20,000-character bodies (the longest it reads), side by side with the scan-per-opener parser it
 * replaced (tests/unit/fixtures/markdown-reference.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { MAX_MARKDOWN_LENGTH, parseInline } from '../../src/sdk/markdown';
import { referenceParseInline } from '../unit/fixtures/markdown-reference';

const CORE_BUDGET = 8 * 1024;
const ALL_BUDGET = 14 * 1024;
const KINDS = 'out/sdk/guidepost-kinds.js';

/**
 * Published figures for comparison, quoted as their sources give them (not measured here; the sources
 * do not say every figure's compression, so none is converted).
 */
const PUBLISHED = [
  {
    what: 'PostHog surveys.js (the lazily loaded survey extension)',
    size: '48.7 kB',
    source: 'compressed-size-action table (gzip is its default) on PostHog/posthog-js pull request #978, 2024-01-29',
  },
  {
    what: 'PostHog survey code in the main bundle',
    size: '3.34 KB + 4.54 KB preact + 2.3 KB action matcher',
    source: 'PostHog/posthog issue #31175, "Improve survey bundle size", 2025-04-14',
  },
  {
    what: 'Formbricks frontend pixel with its survey renderer',
    size: '190 kb (18 kb without renderSurveyModal)',
    source: 'formbricks/formbricks issue #1891, "Lazy Loading for Survey Library in Pixel", 2024-01-11 (compression not stated)',
  },
];

function sizes(file: string): { raw: number; gzipped: number } {
  if (!existsSync(file)) {
    process.stderr.write(`${file} is missing: run npm run build:sdk first.\n`);
    process.exit(1);
  }
  const data = readFileSync(file);
  return { raw: data.length, gzipped: gzipSync(data, { level: 9 }).length };
}

let over = false;
const line = (label: string, raw: number, gzipped: number, budget: number): void => {
  over ||= gzipped > budget;
  const share = ((gzipped / budget) * 100).toFixed(1);
  process.stdout.write(`  ${label.padEnd(40)} ${String(raw).padStart(7)} bytes raw  ${String(gzipped).padStart(6)} bytes gzipped  ${share.padStart(5)}% of ${budget}  ${gzipped > budget ? 'OVER' : 'ok'}\n`);
};
const kinds = sizes(KINDS);
process.stdout.write(`SDK size (core budget ${CORE_BUDGET} bytes gzipped per file; core + kinds chunk ${ALL_BUDGET})\n`);
for (const file of ['out/sdk/guidepost.js', 'out/sdk/guidepost.mjs']) {
  const core = sizes(file);
  line(file, core.raw, core.gzipped, CORE_BUDGET);
  // Each file is gzipped on its own, as a browser fetches them.
  line(`${file} + guidepost-kinds.js`, core.raw + kinds.raw, core.gzipped + kinds.gzipped, ALL_BUDGET);
}
process.stdout.write(`  ${KINDS.padEnd(40)} ${String(kinds.raw).padStart(7)} bytes raw  ${String(kinds.gzipped).padStart(6)} bytes gzipped\n`);
process.stdout.write('\nPublished survey code sizes of other tools (quoted, not measured here)\n');
for (const p of PUBLISHED) process.stdout.write(`  ${p.what}: ${p.size}\n    source: ${p.source}\n`);

/** Milliseconds of the fastest of three parses (the first warms the JIT). */
function fastestMs(parse: (text: string) => unknown, text: string): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    parse(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

process.stdout.write(`\nMarkdown on hostile bodies of ${MAX_MARKDOWN_LENGTH} characters (ms, fastest of 3)\n`);
for (const unit of ['*a ', '**a ', '`a ', '[a](', '[a]((', '*a **b `c [d]( ']) {
  const text = unit.repeat(Math.ceil(MAX_MARKDOWN_LENGTH / unit.length)).slice(0, MAX_MARKDOWN_LENGTH);
  const linear = fastestMs(parseInline, text);
  const reference = fastestMs(referenceParseInline, text);
  process.stdout.write(
    `  ${JSON.stringify(unit).padEnd(20)} linear ${linear.toFixed(1).padStart(7)}  before ${reference.toFixed(1).padStart(8)}  ${(reference / linear).toFixed(0).padStart(5)}× faster\n`,
  );
}
process.exit(over ? 1 : 0);
