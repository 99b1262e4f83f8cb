// `npm start`'s prestart: prepares a better-sqlite3 binary for Electron's ABI in native/electron-<version>/,
// apart from the Node build in node_modules that tests and the CLI use. Runs once per Electron version.
// Needs the internet (Electron's headers); says so and stops when it cannot reach them.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const target = join(root, 'native', `electron-${electronVersion}`, 'better_sqlite3.node');
const headersUrl = `https://electronjs.org/headers/v${electronVersion}/node-v${electronVersion}-headers.tar.gz`;

if (existsSync(target)) process.exit(0);

function stop(message) {
  process.stderr.write(`\nGuidepost: ${message}\n\n`);
  process.exit(1);
}

try {
  const res = await fetch(headersUrl, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (err) {
  stop(
    `cannot prepare the database driver for Electron ${electronVersion}: Electron's headers are not reachable ` +
      `(${headersUrl}: ${err.message}).\nThe desktop app needs the internet once for this step. ` +
      'Everything else works offline: `npm test`, `npm run web` (browser mode) and `npx guidepost`.',
  );
}

// npm's bundled node-gyp; the `nodedir` npm setting must be cleared, or it silently builds against Node's headers.
const npmCli = process.env.npm_execpath;
const nodeGyp = npmCli ? join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : null;
if (!nodeGyp || !existsSync(nodeGyp)) stop('cannot find node-gyp; run this through `npm start`.');

const work = mkdtempSync(join(tmpdir(), 'guidepost-native-'));
try {
  cpSync(join(root, 'node_modules/better-sqlite3'), work, {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  });
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key];
  process.stdout.write(`Building better-sqlite3 for Electron ${electronVersion} (once; about a minute)…\n`);
  const result = spawnSync(
    process.execPath,
    [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers', '--nodedir='],
    { cwd: work, env, stdio: 'inherit' },
  );
  if (result.status !== 0) stop(`building better-sqlite3 for Electron ${electronVersion} failed (exit ${result.status}).`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  process.stdout.write(`Ready: ${target}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
