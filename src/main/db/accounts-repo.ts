/**
 * The accounts of the cache (migration 0012: accounts from group calls, account_members), for the Data
 * area's accounts list and the builder's suggestions of account traits: pages of accounts, newest
 * activity first, and pages of one account's members.
 */
import type { AccountMemberPage, AccountPage, AccountSummary } from '../../shared/types';
import type { Db } from './connection';
import { containing, toSummary, type UserRow } from './users-repo';

interface AccountRow {
  group_id: string;
  traits: string;
  first_seen: number | null;
  last_seen: number | null;
  members: number;
}

const toAccount = (row: AccountRow): AccountSummary => ({
  groupId: row.group_id,
  traits: JSON.parse(row.traits) as Record<string, unknown>,
  members: row.members,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
});

// Members are counted per listed account only (a page's worth), by the (account_pk, user_pk) index.
const SELECT_ACCOUNTS = `SELECT a.group_id, a.traits, a.first_seen, a.last_seen,
  (SELECT count(*) FROM account_members m WHERE m.account_pk = a.account_pk) AS members FROM accounts a`;
const ORDER = 'ORDER BY a.last_seen DESC, a.account_pk LIMIT ? OFFSET ?';

/** Accounts, most recently active first; `search` matches the groupId or any trait value, as the users list does. */
export function listAccounts(db: Db, search: string | undefined, limit: number, offset: number): AccountPage {
  const text = search?.trim() ?? '';
  if (text === '') {
    const accounts = db.prepare<[number, number], AccountRow>(`${SELECT_ACCOUNTS} ${ORDER}`).all(limit, offset).map(toAccount);
    const total = db.prepare<[], number>('SELECT count(*) FROM accounts').pluck().get() ?? 0;
    return { accounts, total };
  }
  const pattern = containing(text);
  const where = "WHERE a.group_id LIKE ? ESCAPE '\\' OR a.traits LIKE ? ESCAPE '\\'";
  const accounts = db
    .prepare<[string, string, number, number], AccountRow>(`${SELECT_ACCOUNTS} ${where} ${ORDER}`)
    .all(pattern, pattern, limit, offset)
    .map(toAccount);
  const total = db.prepare<[string, string], number>(`SELECT count(*) FROM accounts a ${where}`).pluck().get(pattern, pattern) ?? 0;
  return { accounts, total };
}

/** One account's members, earliest member first; null when the cache has no such account. */
export function accountMembers(db: Db, groupId: string, limit: number, offset: number): AccountMemberPage | null {
  const accountPk = db.prepare<[string], number>('SELECT account_pk FROM accounts WHERE group_id = ?').pluck().get(groupId);
  if (accountPk === undefined) return null;
  const members = db
    .prepare<[number, number, number], UserRow & { since: number }>(
      `SELECT u.*, m.since FROM account_members m JOIN users u USING (user_pk)
        WHERE m.account_pk = ? ORDER BY m.since, u.user_pk LIMIT ? OFFSET ?`,
    )
    .all(accountPk, limit, offset)
    .map((row) => ({ user: toSummary(row), since: row.since }));
  const total = db.prepare<[number], number>('SELECT count(*) FROM account_members WHERE account_pk = ?').pluck().get(accountPk) ?? 0;
  return { groupId, members, total };
}
