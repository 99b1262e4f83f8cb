/**
 * The Data area's accounts list (listAccounts, getAccountMembers): accounts and membership seeded with
 * SQL into a real cache, as the import will write them from group calls (migration 0012).
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/connection';
import { accountMembers, listAccounts } from '../../src/main/db/accounts-repo';
import { methods } from '../../src/shared/contract';
import { useTempCache } from './helpers';
import { buildWorld, DAY } from './segments-helpers';

const tempCache = useTempCache();
const T = Date.UTC(2026, 2, 1);

function seed(db: Db): void {
  buildWorld(db, [
    { user: 'ann', identify: { name: 'Ann', plan: 'pro' }, ts: T - 3 * DAY },
    { user: 'bob', event: 'ping', ts: T - 2 * DAY },
    { user: 'cy', event: 'ping', ts: T - DAY },
  ]);
  const account = db.prepare<[string, string, number, number], number>(
    "INSERT INTO accounts (group_id, traits, trait_times, first_seen, last_seen) VALUES (?, ?, '{}', ?, ?) RETURNING account_pk",
  ).pluck();
  const member = db.prepare<[number, number, string]>('INSERT INTO account_members (user_pk, account_pk, since) SELECT user_pk, ?, ? FROM users WHERE id = ?');
  const acme = account.get('acme', JSON.stringify({ name: 'Acme Inc', plan: 'enterprise' }), T - 10 * DAY, T - DAY) as number;
  const tiny = account.get('tiny', JSON.stringify({ name: 'Tiny 100%_co', plan: 'free' }), T - 5 * DAY, T - 4 * DAY) as number;
  account.get('empty', '{}', T - 6 * DAY, T - 6 * DAY);
  member.run(acme, T - 2 * DAY, 'bob');
  member.run(acme, T - 9 * DAY, 'ann');
  member.run(acme, T - DAY, 'cy');
  member.run(tiny, T - 5 * DAY, 'ann');
}

describe('the accounts list', () => {
  it('lists accounts most recently active first, with traits and member counts, a page at a time', () => {
    const { db } = tempCache();
    seed(db);
    const page = listAccounts(db, undefined, 50, 0);
    expect(page.total).toBe(3);
    expect(page.accounts.map((a) => [a.groupId, a.members])).toEqual([['acme', 3], ['tiny', 1], ['empty', 0]]);
    expect(page.accounts[0]).toEqual({ groupId: 'acme', traits: { name: 'Acme Inc', plan: 'enterprise' }, members: 3, firstSeen: T - 10 * DAY, lastSeen: T - DAY });
    expect(listAccounts(db, undefined, 1, 1)).toEqual({ accounts: [page.accounts[1]], total: 3 });
  });

  it('searches the groupId and trait values, with LIKE wildcards taken literally', () => {
    const { db } = tempCache();
    seed(db);
    expect(listAccounts(db, 'enterprise', 50, 0).accounts.map((a) => a.groupId)).toEqual(['acme']);
    expect(listAccounts(db, 'TIN', 50, 0).accounts.map((a) => a.groupId)).toEqual(['tiny']);
    expect(listAccounts(db, '100%_', 50, 0)).toMatchObject({ total: 1, accounts: [{ groupId: 'tiny' }] });
    expect(listAccounts(db, '%', 50, 0)).toMatchObject({ total: 1 });
    expect(listAccounts(db, 'nothing like it', 50, 0)).toEqual({ accounts: [], total: 0 });
  });

  it("lists an account's members, earliest member first, with their traits, paged; an unknown account is null", () => {
    const { db } = tempCache();
    seed(db);
    const page = accountMembers(db, 'acme', 2, 0);
    expect(page?.total).toBe(3);
    expect(page?.members.map((m) => [m.user.id, m.since])).toEqual([['ann', T - 9 * DAY], ['bob', T - 2 * DAY]]);
    expect(page?.members[0]?.user.traits).toEqual({ name: 'Ann', plan: 'pro' });
    expect(accountMembers(db, 'acme', 2, 2)?.members.map((m) => m.user.id)).toEqual(['cy']);
    expect(accountMembers(db, 'empty', 50, 0)).toEqual({ groupId: 'empty', members: [], total: 0 });
    expect(accountMembers(db, 'ghost', 50, 0)).toBeNull();
  });

  it('an empty cache has no accounts', () => {
    const { db } = tempCache();
    expect(listAccounts(db, undefined, 50, 0)).toEqual({ accounts: [], total: 0 });
  });

  it('the contract validates the arguments', () => {
    expect(methods.listAccounts.input.safeParse({ limit: 501 }).success).toBe(false);
    expect(methods.listAccounts.input.safeParse({ search: 'acme', limit: 50, offset: 100 }).success).toBe(true);
    expect(methods.getAccountMembers.input.safeParse({ groupId: '' }).success).toBe(false);
    expect(methods.getAccountMembers.input.safeParse({ groupId: 'acme', extra: 1 }).success).toBe(false);
  });
});
