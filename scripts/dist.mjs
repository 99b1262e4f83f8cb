// `npm run dist`: builds the app and its installers with electron-builder, on a machine with internet.
// electron-builder rebuilds better-sqlite3 for Electron's ABI; the `nodedir` npm setting must be cleared
// first, or @electron/rebuild silently compiles against Node's headers and the app cannot load its database.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key];
env.npm_config_nodedir = '';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npx', ['electron-vite', 'build']);
run('npx', ['electron-builder', ...process.argv.slice(2)]);
