/**
 * Migration 3 (issue 16, privacy): page records stored before the SDK trimmed addresses lose their query
 * strings, fragments and referrer paths, as the SDK now cuts them (no parameter is allow-listed here:
 * the server cannot know a site's list). Runs on a real database file written at schema 2.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DELIVERY_APPLICATION_ID, openDeliveryDb } from '../../src/delivery/db';
import { deliveryMigrations } from '../../src/delivery/migrations';
import { migrate } from '../../src/shared/migrate';
import { trimPageUrl, trimReferrer } from '../../src/shared/page-url';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

/** A database at schema 2 (before the scrub) holding these records, closed again. */
function schemaTwoWith(records: { type: string; name: string; data: unknown }[]): string {
  const file = join(tempDir(), 'delivery.db');
  const raw = new Database(file);
  migrate(raw, deliveryMigrations.slice(0, 2), { applicationId: DELIVERY_APPLICATION_ID, label: 'the delivery database', now: 1 });
  const insert = raw.prepare('INSERT INTO records (record_id, type, user_id, name, ts, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  records.forEach((r, i) => insert.run(`r${i}`, r.type, 'u1', r.name, 1000 + i, r.data === null ? null : typeof r.data === 'string' ? r.data : JSON.stringify(r.data), 2000));
  raw.close();
  return file;
}

const dataAfterScrub = (file: string): unknown[] => {
  const { db } = openDeliveryDb(file, { now: 3 });
  const rows = db.prepare('SELECT data FROM records ORDER BY seq').pluck().all() as (string | null)[];
  db.close();
  return rows.map((d) => (d === null ? null : d.startsWith('{') ? JSON.parse(d) : d));
};

describe('migration 4 scrubs stored page addresses', () => {
  it('cuts query strings, fragments and referrer paths from page records, and leaves the rest of each record alone', () => {
    const secretPage = {
      url: 'https://app.example.com/reset-password?token=s3cret#access_token=t0ken',
      path: '/reset-password',
      search: '?token=s3cret',
      title: 'Reset password',
      referrer: 'https://mail.example.com/inbox/42?session=abc',
      plan: 'pro',
    };
    const file = schemaTwoWith([
      { type: 'page', name: 'page_viewed', data: secretPage },
      { type: 'page', name: 'page_viewed', data: { url: 'https://app.example.com/billing', search: '', referrer: '' } },
      { type: 'page', name: 'page_viewed', data: { url: 'https://app.example.com/#/settings', referrer: 'about:blank' } },
      { type: 'page', name: 'page_viewed', data: { url: 42, referrer: { nested: '?x' }, name: 'Odd but kept' } },
      { type: 'page', name: 'page_viewed', data: null },
      { type: 'track', name: 'link_copied', data: { url: 'https://elsewhere.example/x?keep=1' } },
      { type: 'identify', name: '', data: { url: 'https://profile.example/me?trait=1' } },
    ]);
    expect(dataAfterScrub(file)).toEqual([
      { ...secretPage, url: 'https://app.example.com/reset-password', search: '', referrer: 'https://mail.example.com' },
      { url: 'https://app.example.com/billing', search: '', referrer: '' },
      { url: 'https://app.example.com/', referrer: '' },
      { url: 42, referrer: { nested: '?x' }, name: 'Odd but kept' },
      null,
      { url: 'https://elsewhere.example/x?keep=1' },
      { url: 'https://profile.example/me?trait=1' },
    ]);
  });

  it('cuts ordinary http(s) addresses exactly as the SDK does with no parameter allow-listed', () => {
    const urls = [
      'https://a.example/p?x=1#y',
      'https://a.example/p#y?x=1',
      'http://localhost:5173/a/b?',
      'https://a.example:8443/deep/path/?q=1&r=2',
      'https://a.example',
      'https://a.example?x',
      'https://a.example#frag',
    ];
    const file = schemaTwoWith(urls.map((url) => ({ type: 'page', name: 'page_viewed', data: { url, referrer: url } })));
    const scrubbed = dataAfterScrub(file) as { url: string; referrer: string }[];
    urls.forEach((url, i) => {
      // The SDK's URL parser also normalizes (a bare origin gains its "/"); the scrub only cuts.
      expect(new URL(scrubbed[i]!.url).href, url).toBe(trimPageUrl(url));
      expect(scrubbed[i]!.referrer, url).toBe(trimReferrer(url));
    });
  });
});
