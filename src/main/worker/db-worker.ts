/**
 * The database worker: owns the SQLite connection and the backend, so heavy work (demo generation,
 * imports, large queries) never blocks the Electron main thread or the bridge's HTTP loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBackend } from '../api';
import { openCache } from '../db/connection';
import { dispatch } from '../../shared/dispatch';
import { toErrorData } from '../../shared/errors';
import { memorySecrets } from '../messages/secrets';
import type { HostToWorker, WorkerConfig, WorkerToHost } from './protocol';

const port = parentPort;
if (!port) throw new Error('db-worker must run as a worker thread.');
const post = (message: WorkerToHost): void => port.postMessage(message);
const config = workerData as WorkerConfig;

try {
  const { db, path } = openCache(config.dbPath, config.nativeBinding ? { nativeBinding: config.nativeBinding } : {});
  const backend = createBackend({
    db,
    path,
    parserScript: new URL('./parse-worker.js', import.meta.url),
    emit: (name, payload) => post({ type: 'event', event: { name, payload } }),
    // In the app the main process saves a token with safeStorage before the call reaches us: memory only here.
    secrets: config.tokens
      ? memorySecrets({
          seed: config.tokens,
          seedOrigins: config.tokenOrigins ?? {},
          seedSource: 'safe-storage',
          setSource: config.tokenStorage ?? 'safe-storage',
        })
      : memorySecrets(),
    ...(config.warehousePasswords ? { warehousePasswords: config.warehousePasswords } : {}),
  });
  const { handlers } = backend;
  port.on('message', (message: HostToWorker) => {
    if (message.type === 'close') {
      backend.close();
      db.close();
      port.close();
      return;
    }
    void dispatch(handlers, message.method, message.arg).then((envelope) => post({ type: 'result', id: message.id, envelope }));
  });
  post({ type: 'ready', path });
} catch (err) {
  post({ type: 'failed', error: toErrorData(err) });
}
