/**
 * The users table's query: sorted in SQL across pages, filtered by one trait's exact value (a bound
 * parameter, any key), combined with the search; and the contract's validation of the request.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { listUsers } from '../../src/main/db/users-repo';
import { dataMethods } from '../../src/shared/contract/data';
import { useTempCache } from './helpers';

const tempCache = useTempCache();

interface Seed {
  id: string;
  traits: Record<string, unknown>;
  first: number | null;
  last: number | null;
}

const SEEDS: Seed[] = [
  { id: 'carol', traits: { plan: 'pro', seats: 5 }, first: 100, last: 900 },
  { id: 'alice', traits: { plan: 'free', beta: true }, first: 300, last: 400 },
  { id: 'dave', traits: { plan: 'pro', 'odd "key".x': 'yes' }, first: 200, last: 700 },
  { id: 'bob', traits: { plan: 'Pro', seats: 5.5 }, first: 50, last: 800 },
  { id: 'erin', traits: { role: 'pro' }, first: 400, last: 600 },
];

function seeded(): Db {
  const { db } = tempCache();
  const insert = db.prepare('INSERT INTO users (id, traits, first_seen, last_seen) VALUES (?, ?, ?, ?)');
  for (const s of SEEDS) insert.run(s.id, JSON.stringify(s.traits), s.first, s.last);
  return db;
}

const ids = (db: Db, options: Parameters<typeof listUsers>[1]): string[] => listUsers(db, options).users.map((u) => u.id);

describe('listUsers', () => {
  it('sorts by each column in both directions, in SQL, so the pages continue one order', () => {
    const db = seeded();
    expect(ids(db, { limit: 10, offset: 0 })).toEqual(['carol', 'bob', 'dave', 'erin', 'alice']);
    expect(ids(db, { sort: { column: 'lastSeen', direction: 'ascending' }, limit: 10, offset: 0 })).toEqual(['alice', 'erin', 'dave', 'bob', 'carol']);
    expect(ids(db, { sort: { column: 'firstSeen', direction: 'descending' }, limit: 10, offset: 0 })).toEqual(['erin', 'alice', 'dave', 'carol', 'bob']);
    expect(ids(db, { sort: { column: 'id', direction: 'ascending' }, limit: 10, offset: 0 })).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    const byId = { column: 'id', direction: 'descending' } as const;
    const pages = [0, 2, 4].flatMap((offset) => ids(db, { sort: byId, limit: 2, offset }));
    expect(pages).toEqual(['erin', 'dave', 'carol', 'bob', 'alice']);
    expect(listUsers(db, { sort: byId, limit: 2, offset: 2 }).total).toBe(5);
  });

  it('keeps the users whose trait has exactly the value, with the total of the filtered set', () => {
    const db = seeded();
    const pro = listUsers(db, { trait: { key: 'plan', value: 'pro' }, sort: { column: 'id', direction: 'ascending' }, limit: 10, offset: 0 });
    // Exact: "Pro" is another value, and erin's "pro" is her role, not her plan.
    expect(pro.users.map((u) => u.id)).toEqual(['carol', 'dave']);
    expect(pro.total).toBe(2);
    expect(ids(db, { trait: { key: 'seats', value: '5' }, limit: 10, offset: 0 })).toEqual(['carol']);
    expect(ids(db, { trait: { key: 'seats', value: '5.5' }, limit: 10, offset: 0 })).toEqual(['bob']);
    expect(ids(db, { trait: { key: 'beta', value: 'true' }, limit: 10, offset: 0 })).toEqual(['alice']);
    // A key that would be a JSON path (quotes, a dot) is matched as itself; SQL in a value is only a value.
    expect(ids(db, { trait: { key: 'odd "key".x', value: 'yes' }, limit: 10, offset: 0 })).toEqual(['dave']);
    expect(ids(db, { trait: { key: 'plan', value: "pro' OR 1=1 --" }, limit: 10, offset: 0 })).toEqual([]);
  });

  it('combines the trait filter with the search and a sort, paging through the filtered users', () => {
    const db = seeded();
    const page = listUsers(db, { search: 'a', trait: { key: 'plan', value: 'pro' }, sort: { column: 'firstSeen', direction: 'ascending' }, limit: 1, offset: 1 });
    expect(page.users.map((u) => u.id)).toEqual(['dave']);
    expect(page.total).toBe(2);
  });
});

describe('the listUsers contract', () => {
  const input = dataMethods.listUsers.input;

  it('takes a sort and a trait filter', () => {
    expect(input.parse({ sort: { column: 'firstSeen', direction: 'ascending' }, trait: { key: ' plan ', value: 'pro' } })).toEqual({
      sort: { column: 'firstSeen', direction: 'ascending' },
      trait: { key: 'plan', value: 'pro' },
    });
  });

  it('refuses an unknown sort column and a trait filter without a key, saying what is wrong', () => {
    expect(input.safeParse({ sort: { column: 'traits; DROP TABLE users', direction: 'ascending' } }).success).toBe(false);
    const blank = input.safeParse({ trait: { key: '  ', value: 'pro' } });
    expect(blank.success).toBe(false);
    expect(blank.error?.issues[0]?.message).toBe('Name the trait to filter by');
  });
});
