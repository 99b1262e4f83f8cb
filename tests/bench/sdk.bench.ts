/**
 * npm run bench:sdk: builds the SDK, then prints the size of what a page loads to show a modal or an
 * NPS survey: out/sdk/guidepost.js (the classic script) and out/sdk/guidepost.mjs (the ES module),
 * raw and gzipped (zlib level 9), against the budget of 8 KB gzipped. Exits 1 when over budget.
 * Then the markdown parser on hostile 20,000-character bodies (the longest it reads), side by side
 * with the scan-per-opener parser it replaced (tests/unit/fixtures/markdown-reference.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { MAX_MARKDOWN_LENGTH, parseInline } from '../../src/sdk/markdown';
import { referenceParseInline } from '../unit/fixtures/markdown-reference';

const BUDGET = 8 * 1024;
const files = ['out/sdk/guidepost.js', 'out/sdk/guidepost.mjs'];

let over = false;
process.stdout.write(`SDK size (budget: ${BUDGET} bytes gzipped per file; the file is all a page loads)\n`);
for (const file of files) {
  if (!existsSync(file)) {
    process.stderr.write(`${file} is missing: run npm run build:sdk first.\n`);
    process.exit(1);
  }
  const data = readFileSync(file);
  const gzipped = gzipSync(data, { level: 9 }).length;
  const share = ((gzipped / BUDGET) * 100).toFixed(1);
  over ||= gzipped > BUDGET;
  process.stdout.write(
    `  ${file.padEnd(24)} ${String(data.length).padStart(7)} bytes raw  ${String(gzipped).padStart(6)} bytes gzipped  ${share.padStart(5)}% of budget  ${gzipped > BUDGET ? 'OVER' : 'ok'}\n`,
  );
}

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
