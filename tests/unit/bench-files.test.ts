/**
 * The import benchmark's files (tests/bench/real-shaped.ts) are what docs/PERFORMANCE.md says they are, so
 * the benchmark cannot silently rot: valid records of the promised shape, compact and alphabetical in one
 * file, Python's spaced JSON in the other, the same records in both, optional fields and key order random,
 * the fixture suite's payload forms mixed in. Nothing here is timed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../src/main/ingest/import-file';
import { pythonJson, sortedKeys, writeManyUsersFile, writeRealShapedFile, writeTodaysFile } from '../bench/real-shaped';
import { useTempCache, useTempDir } from './helpers';

const tempDir = useTempDir();
const tempCache = useTempCache();

type Json = Parameters<typeof sortedKeys>[0];
type Record_ = Record<string, Json> & { context?: Record<string, Json>; properties?: Record<string, Json> };

const RECORDS = 3000;

function lines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

function realFiles(): { dir: string; compact: string[]; python: string[]; compactPath: string } {
  const dir = tempDir();
  const compactPath = join(dir, 'compact.ndjson');
  const pythonPath = join(dir, 'python.ndjson');
  writeRealShapedFile(compactPath, RECORDS, 'compact-sorted');
  writeRealShapedFile(pythonPath, RECORDS, 'python-spaced');
  return { dir, compact: lines(compactPath), python: lines(pythonPath), compactPath };
}

const share = (records: Record_[], test: (record: Record_) => boolean): number => records.filter(test).length / records.length;

describe('the real-shaped benchmark files', () => {
  it('write the same records compact with alphabetical keys, and in Python\'s spaced JSON with keys in random order', () => {
    const { compact, python } = realFiles();
    expect(compact).toHaveLength(RECORDS);
    expect(python).toHaveLength(RECORDS);
    const orders = new Set<string>();
    let sortedInPython = 0;
    for (let k = 0; k < RECORDS; k++) {
      const a = JSON.parse(compact[k] as string) as Json;
      const b = JSON.parse(python[k] as string) as Json;
      expect(b).toEqual(a);
      // Compact: exactly JSON.stringify's text with every object's keys sorted.
      expect(compact[k]).toBe(JSON.stringify(sortedKeys(a)));
      // Python: json.dumps' separators and \u escapes, keys as they stand in the line.
      expect(python[k]).toBe(pythonJson(b));
      expect(python[k]).toMatch(/^\{"[^"]+": /);
      const keys = Object.keys(b as object).join(',');
      orders.add(keys);
      if (keys === Object.keys(a as object).sort().join(',')) sortedInPython += 1;
    }
    expect(python.join('')).not.toMatch(/[^\x20-\x7e]/);
    expect(compact.join('')).toMatch(/[^\x20-\x7e]/);
    expect(orders.size).toBeGreaterThan(RECORDS / 2);
    expect(sortedInPython).toBeLessThan(RECORDS / 100);
  });

  it('are about 1 KB a record, with a nested context, the time fields, a track/page/identify mix and random optional fields', () => {
    const { compact } = realFiles();
    const records = compact.map((line) => JSON.parse(line) as Record_);
    const mean = compact.reduce((sum, line) => sum + line.length, 0) / compact.length;
    expect(mean).toBeGreaterThan(800);
    expect(mean).toBeLessThan(1300);
    const own = records.filter((r) => !String(r.messageId).startsWith('fx-'));
    for (const record of own) {
      expect(Object.keys(record.context ?? {})).toEqual(expect.arrayContaining(['ip', 'library', 'locale', 'page', 'userAgent']));
      expect(Object.keys(record.context?.page as object)).toEqual(['path', 'referrer', 'search', 'title', 'url']);
      expect(record).toMatchObject({ anonymousId: expect.any(String), messageId: expect.any(String), originalTimestamp: expect.any(String), sentAt: expect.any(String), receivedAt: expect.any(String) });
      expect(record.integrations).toBeTypeOf('object');
    }
    for (const type of ['track', 'page', 'identify']) expect(share(own, (r) => r.type === type)).toBeGreaterThan(0.02);
    // Optional fields appear in some records and not in others.
    for (const optional of [(r: Record_) => r.context?.campaign !== undefined, (r: Record_) => r.context?.timezone !== undefined, (r: Record_) => r.timestamp !== undefined, (r: Record_) => r.userId !== undefined]) {
      expect(share(own, optional)).toBeGreaterThan(0.05);
      expect(share(own, optional)).toBeLessThan(0.95);
    }
    // Anonymous visitors who later identify: the same anonymousId without a userId, then with one.
    const firstKnown = new Map<Json, number>();
    own.forEach((r, k) => {
      if (r.userId !== undefined && !firstKnown.has(r.anonymousId as Json)) firstKnown.set(r.anonymousId as Json, k);
    });
    expect(own.some((r, k) => r.userId === undefined && (firstKnown.get(r.anonymousId as Json) ?? -1) > k)).toBe(true);
  });

  it("mix in the fixture suite's payload forms, and import with no rejection: group and alias calls are applied", async () => {
    const { compact, compactPath } = realFiles();
    const fixtures = compact.map((line) => JSON.parse(line) as Record_).filter((r) => String(r.messageId).startsWith('fx-'));
    expect(fixtures.length).toBeGreaterThan(RECORDS / 40);
    expect(fixtures.some((r) => Array.isArray(r.properties?.products))).toBe(true);
    expect(fixtures.some((r) => typeof r.timestamp === 'number')).toBe(true);
    expect(fixtures.some((r) => r.type === undefined && r.traits !== undefined)).toBe(true);
    expect(fixtures.some((r) => (r.context?.traits as object | undefined) !== undefined)).toBe(true);
    const { db } = tempCache();
    const summary = await importFile(db, compactPath);
    // Group and alias calls store no event: they are counted as identity calls (docs/IMPORT.md, "Identity").
    expect(summary.rejected).toBe(0);
    expect(summary.details?.identityCalls).toBeGreaterThan(0);
    expect(summary.imported + (summary.details?.identityCalls ?? 0)).toBe(RECORDS);
  });

  it("write today's file and the many-users file as flat JSON.stringify records", () => {
    const dir = tempDir();
    writeTodaysFile(join(dir, 'today.ndjson'), 500);
    writeManyUsersFile(join(dir, 'many.ndjson'), 2000, 400);
    const today = lines(join(dir, 'today.ndjson')).map((line) => JSON.parse(line) as Record_);
    expect(today).toHaveLength(500);
    expect(new Set(today.map((r) => r.type))).toEqual(new Set(['track', 'identify']));
    const many = lines(join(dir, 'many.ndjson')).map((line) => JSON.parse(line) as Record_);
    expect(many).toHaveLength(2000);
    expect(new Set(many.map((r) => r.userId)).size).toBeGreaterThan(300);
    expect(new Set(many.map((r) => r.userId)).size).toBeLessThanOrEqual(400);
  });
});
