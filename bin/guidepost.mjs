#!/usr/bin/env node
// Entry of `npx guidepost`: runs the CLI that `npm install` built into out/main (see the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('guidepost: the CLI is not built yet. Run `npm install` (or `npm run build`) in the Guidepost folder first.\n');
  process.exit(2);
}
const { runCli } = await import(pathToFileURL(cli).href);
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
});
