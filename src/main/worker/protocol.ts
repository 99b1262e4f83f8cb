/** Messages between a host (Electron main, the browser-mode server) and the database worker. */
import type { ApiErrorData, Envelope } from '../../shared/errors';
import type { PushedEvent } from '../../shared/contract';

export interface WorkerConfig {
  dbPath: string;
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  /**
   * Delivery tokens the Electron main process decrypted from safeStorage (src/main/electron/token-vault.ts).
   * The worker keeps them in memory only; without them it reads GUIDEPOST_STAGING_TOKEN / GUIDEPOST_PRODUCTION_TOKEN.
   */
  tokens?: { staging?: string; production?: string };
  /** The origin each token was entered for, where the vault knows it (src/main/messages/secrets.ts). */
  tokenOrigins?: { staging?: string; production?: string };
  /**
   * Where a token set later lives: safe-storage when the vault encrypts it, memory when it cannot
   * (Linux's basic_text backend: the main process keeps nothing on disk, and the UI says so).
   */
  tokenStorage?: 'safe-storage' | 'memory';
  /** PostgreSQL warehouse passwords (host:port/database → password), from the same vault; memory only here. */
  warehousePasswords?: Record<string, string>;
}

export type HostToWorker = { type: 'call'; id: number; method: string; arg: unknown } | { type: 'close' };

export type WorkerToHost =
  | { type: 'ready'; path: string }
  | { type: 'failed'; error: ApiErrorData }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { type: 'event'; event: PushedEvent };
