/**
 * The checkpoint thread (src/delivery/checkpointer.ts): WAL pages are copied into the database by a
 * worker with its own connection, while the server's connection checkpoints only past the safety net;
 * stopping it hands checkpoints back to the server's connection, which then removes the WAL at close;
 * a thread that cannot start is reported and the server checkpoints as by default.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAFETY_NET_PAGES, startCheckpointer } from '../../src/delivery/checkpointer';
import { openDeliveryDb } from '../../src/delivery/db';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

const autocheckpoint = (db: ReturnType<typeof openDeliveryDb>['db']): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

/** Resolves once `check` holds, trying again every few milliseconds (the thread works on its own timer). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the checkpoint thread', () => {
  it('copies the WAL into the database from its own connection, and hands checkpoints back when stopped', async () => {
    const { db, path } = openDeliveryDb(join(tempDir(), 'delivery.db'));
    const checkpointer = startCheckpointer(db, path, { intervalMs: 5 });
    try {
      expect(autocheckpoint(db)).toBe(SAFETY_NET_PAGES);
      const insert = db.prepare("INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, 'track', ?, 'e', 1, ?, 1)");
      // Each commit its own pages in the WAL; the server's connection copies none of them (far below the safety net).
      for (let i = 0; i < 200; i++) insert.run(`r${i}`, `u${i}`, 'x'.repeat(500));
      await eventually(async () => (await checkpointer.stats()).copiedFrames > 0);
      await checkpointer.stop();
      expect(autocheckpoint(db)).toBe(1_000);
      await expect(checkpointer.stats()).rejects.toThrow(/not running/);
    } finally {
      await checkpointer.stop();
      db.close();
    }
    // The server's connection closed last: it checkpointed and removed the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const { db: again } = openDeliveryDb(path);
    try {
      expect(again.prepare('SELECT count(*) FROM records').pluck().get()).toBe(200);
    } finally {
      again.close();
    }
  });

  it('reports a thread that cannot open the database, and the server checkpoints by itself again', async () => {
    const { db } = openDeliveryDb(join(tempDir(), 'delivery.db'));
    const logged: string[] = [];
    const checkpointer = startCheckpointer(db, join(tempDir(), 'missing', 'nothing.db'), { log: (line) => logged.push(line) });
    try {
      await checkpointer.stop();
      expect(logged).toEqual([expect.stringMatching(/checkpoint thread failed.*server checkpoints by itself again/)]);
      expect(autocheckpoint(db)).toBe(1_000);
    } finally {
      db.close();
    }
  });
});
