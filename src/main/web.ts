/**
 * Browser mode: `npm run web -- [--port <port>] [--db <file>] [<file.guidepost> | guidepost://…]`. The
 * real backend (the database worker) behind the loopback bridge, with the built renderer served beside
 * it. A bundle or link given last is opened in the page as the desktop app opens one it is launched with.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBridge } from './bridge/server';
import { launchTargetIn, openRequestFor } from './launch-target';
import { exportsFolderFor, resolveDbPath } from './paths';
import { DbWorkerClient } from './worker/worker-client';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { port: { type: 'string', default: '0' }, db: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const target = launchTargetIn(['web', ...positionals]);
  if (positionals.length > 0 && !target) throw new Error(`"${positionals.join(' ')}" is neither a .guidepost bundle nor a guidepost:// link.`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}".`);
  const staticDir = fileURLToPath(new URL('../renderer', import.meta.url));
  if (!existsSync(staticDir)) throw new Error('The renderer is not built: run `npm run build` first.');
  const workerScript = new URL('./db-worker.js', import.meta.url);
  const { client, path } = await DbWorkerClient.start(workerScript, { dbPath: resolveDbPath(values.db) });
  const uploadDir = mkdtempSync(join(tmpdir(), 'guidepost-uploads-'));
  const bridge = await startBridge({
    port,
    staticDir,
    uploadDir,
    downloadRoot: exportsFolderFor(path),
    call: (method, arg) => client.call(method, arg),
    onEvent: (listener) => client.onEvent(listener),
    ...(target ? { firstEvent: async () => ({ name: 'open', payload: await openRequestFor(target, (method, arg) => client.call(method, arg)) }) } : {}),
  });
  process.stdout.write(`Guidepost browser mode\n  cache: ${path}\n  open:  ${bridge.openUrl}\n`);
  const stop = (): void => {
    void bridge
      .close()
      .then(() => client.close())
      .finally(() => {
        rmSync(uploadDir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`guidepost web: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
