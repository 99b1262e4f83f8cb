/**
 * The writer's id → user_pk table outside the JavaScript heap (write/id-table.ts): every id keeps its
 * own number, exactly as written, through the table's growth.
 */
import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/main/ingest/write/id-table';

describe('IdTable', () => {
  it('finds every id it was given, and no other, across its growth', () => {
    const table = new IdTable();
    const ids = Array.from({ length: 30_000 }, (_, k) => (k % 3 === 0 ? `user-${k}` : k % 3 === 1 ? `${k}` : `${'x'.repeat(k % 200)}-${k}`));
    ids.forEach((id, k) => {
      expect(table.get(id)).toBe(-1);
      table.add(id, k * 7);
    });
    expect(table.size).toBe(ids.length);
    ids.forEach((id, k) => expect(table.get(id)).toBe(k * 7));
    expect(table.get('user-30000')).toBe(-1);
    expect(table.get('')).toBe(-1);
    expect(() => table.add('user-3', 1)).toThrow(/already/);
  });

  it('keeps ids apart that UTF-8 would make one: lone surrogates, and non-ASCII ids beside their look-alikes', () => {
    const table = new IdTable();
    const ids = ['a\ud800', 'a\udbff', 'a\ufffd', 'Zürich', 'Zu\u0308rich', '東京', '😀', '\u00ff\u0001', '\u00ff', '\u0001\u00ff', '\uff00', ''];
    ids.forEach((id, k) => table.add(id, k));
    ids.forEach((id, k) => expect(table.get(id)).toBe(k));
    // A code unit that encodes as the wide marker's bytes is not confused with the marker.
    expect(table.get('\u00ff\u0000\u0001')).toBe(-1);
  });

  it('holds a long id whole', () => {
    const table = new IdTable();
    const long = 'id-'.repeat(100_000);
    table.add(long, 5);
    expect(table.get(long)).toBe(5);
    expect(table.get(`${long}x`)).toBe(-1);
    expect(table.get(long.slice(1))).toBe(-1);
  });
});
