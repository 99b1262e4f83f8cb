/**
 * npm run bench:sdk: builds the SDK, then prints the size of what a page loads to show a modal or an
 * NPS survey: out/sdk/guidepost.js (the classic script) and out/sdk/guidepost.mjs (the ES module),
 * raw and gzipped (zlib level 9), against the budget of 8 KB gzipped. Exits 1 when over budget.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

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
process.exit(over ? 1 : 0);
