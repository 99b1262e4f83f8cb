import { Worker } from 'node:worker_threads';
import type { PushedEvent } from '../../shared/contract';
import { ApiError, type Envelope } from '../../shared/errors';
import type { HostToWorker, WorkerConfig, WorkerToHost } from './protocol';

/**
 * The host's handle on the database worker: forwards calls, resolves their envelopes, and relays
 * the events the backend pushes. Calls are already validated by the caller's boundary.
 */
export class DbWorkerClient {
  private readonly pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  private readonly listeners = new Set<(event: PushedEvent) => void>();
  private nextId = 1;
  private exitError: ApiError | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerToHost) => {
      if (message.type === 'result') {
        this.pending.get(message.id)?.(message.envelope);
        this.pending.delete(message.id);
      } else if (message.type === 'event') {
        for (const listener of this.listeners) listener(message.event);
      }
    });
    worker.on('exit', (code) => {
      this.exitError = new ApiError('internal', `The database worker stopped (exit code ${code}).`);
      for (const resolve of this.pending.values()) resolve({ ok: false, error: this.exitError.toData() });
      this.pending.clear();
    });
  }

  /** Starts the worker and waits until its cache is open (or says why it could not be). */
  static start(scriptPath: string | URL, config: WorkerConfig): Promise<{ client: DbWorkerClient; path: string }> {
    const worker = new Worker(scriptPath, { workerData: config });
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerToHost): void => {
        if (message.type === 'ready') {
          worker.off('message', onMessage);
          resolve({ client: new DbWorkerClient(worker), path: message.path });
        } else if (message.type === 'failed') {
          worker.off('message', onMessage);
          void worker.terminate();
          reject(new ApiError(message.error.code, message.error.message));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  call(method: string, arg: unknown): Promise<Envelope<unknown>> {
    if (this.exitError) return Promise.resolve({ ok: false, error: this.exitError.toData() });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      const message: HostToWorker = { type: 'call', id, method, arg };
      this.worker.postMessage(message);
    });
  }

  onEvent(listener: (event: PushedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const message: HostToWorker = { type: 'close' };
    this.worker.postMessage(message);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
