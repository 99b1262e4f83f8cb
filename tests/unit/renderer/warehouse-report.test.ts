import { describe, expect, it } from 'vitest';
import { rejectionPlace, warehouseTableText } from '../../../src/renderer/src/screens/data/model';

describe('a PostgreSQL sync report', () => {
  it('locates a rejected row by its table and row number', () => {
    expect(rejectionPlace({ line: 12, table: 'order_completed', reason: 'x' })).toBe('order_completed row 12');
  });

  it('lists each table with its kind and rows read, or why it was skipped', () => {
    expect(warehouseTableText({ kind: 'tracks', fetched: 1200 })).toBe('(tracks): 1,200 rows read');
    expect(warehouseTableText({ kind: 'event', fetched: 1 })).toBe('(per-event table): 1 row read');
    expect(warehouseTableText({ kind: null, fetched: 0, error: 'expected columns id, …' })).toBe('skipped: expected columns id, …');
  });
});
