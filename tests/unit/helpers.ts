import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { openCache, type Db } from '../../src/main/db/connection';
import type { TokenCipher } from '../../src/main/electron/token-vault';
import { ApiError } from '../../src/shared/errors';

/** A fresh temporary folder per test, removed afterwards. */
export function useTempDir(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'guidepost-unit-'));
    dirs.push(dir);
    return dir;
  };
}

/**
 * Opens a fresh cache in its own temporary folder per call, and closes it and removes the folder
 * after each test (in that order, from one hook).
 */
export function useTempCache(): (name?: string) => { db: Db; path: string; dir: string } {
  const opened: { db: Db; dir: string }[] = [];
  afterEach(() => {
    for (const { db, dir } of opened.splice(0)) {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (name = 'cache.db') => {
    const dir = mkdtempSync(join(tmpdir(), 'guidepost-unit-'));
    const { db, path } = openCache(join(dir, name));
    opened.push({ db, dir });
    return { db, path, dir };
  };
}

/** What the action threw (or the promise rejected with), asserted to be an ApiError. */
export async function apiErrorOf(action: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  let caught: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ApiError);
  return caught as ApiError;
}

/** A reversible stand-in for Electron's safeStorage (the token vault's cipher): reversed bytes behind a marker. */
export function testCipher(available = true, storageBackend: string | null = null): TokenCipher {
  return {
    isEncryptionAvailable: async () => available,
    storageBackend: () => storageBackend,
    encryptString: async (plain) => Buffer.concat([Buffer.from('ENC:'), Buffer.from(plain, 'utf8').reverse()]),
    decryptString: async (data) => {
      if (data.subarray(0, 4).toString() !== 'ENC:') throw new Error('not ours');
      return Buffer.from(data.subarray(4)).reverse().toString('utf8');
    },
  };
}
