import type { Db } from './connection';
import type { TimelineEntry, UserPage, UserSummary, UserTimeline } from '../../shared/types';

export interface UserRow {
  user_pk: number;
  id: string;
  traits: string;
  first_seen: number | null;
  last_seen: number | null;
}

export const toSummary = (row: UserRow): UserSummary => ({
  id: row.id,
  traits: JSON.parse(row.traits) as Record<string, unknown>,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
});

/** LIKE pattern for a substring, with the wildcards in the search itself escaped. */
export function containing(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface UserListOptions {
  search?: string | undefined;
  sort?: { column: 'id' | 'firstSeen' | 'lastSeen'; direction: 'ascending' | 'descending' } | undefined;
  /** Only users whose top-level trait `key` reads exactly `value`. */
  trait?: { key: string; value: string } | undefined;
  limit: number;
  offset: number;
}

/** The columns a sort names, each with an index (users_by_id, users_by_first_seen, users_by_last_seen), so a page is a seek. */
const SORT_SQL = { id: 'id', firstSeen: 'first_seen', lastSeen: 'last_seen' } as const;

/**
 * A trait's value as the filter compares it: strings as they are, numbers as JSON writes them, true and
 * false as words, so "plan = pro", "seats = 5" and "beta = true" all read as typed. json_each takes the key
 * as a bound value, so any key (dots, quotes) is matched as itself, never read as a JSON path.
 */
const TRAIT_MATCHES = `EXISTS (SELECT 1 FROM json_each(users.traits) t WHERE t.key = ?
  AND (CASE t.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'text' THEN t.value ELSE CAST(t.atom AS TEXT) END) IS ?)`;

/**
 * A page of the users: `search` matches the id or any trait value (substring), `trait` an exact trait
 * value; sorted in SQL (most recently active first by default), so paging walks one order through all.
 */
export function listUsers(db: Db, options: UserListOptions): UserPage {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  const text = options.search?.trim() ?? '';
  if (text !== '') {
    conditions.push("(id LIKE ? ESCAPE '\\' OR traits LIKE ? ESCAPE '\\')");
    const pattern = containing(text);
    params.push(pattern, pattern);
  }
  if (options.trait) {
    conditions.push(TRAIT_MATCHES);
    params.push(options.trait.key.trim(), options.trait.value);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const sort = options.sort ?? { column: 'lastSeen', direction: 'descending' };
  const direction = sort.direction === 'ascending' ? 'ASC' : 'DESC';
  // user_pk breaks ties the same way in both directions' pages, so no user shows twice or never.
  const order = `ORDER BY ${SORT_SQL[sort.column]} ${direction}, user_pk ${direction}`;
  const users = db
    .prepare<(string | number)[], UserRow>(`SELECT * FROM users ${where} ${order} LIMIT ? OFFSET ?`)
    .all(...params, options.limit, options.offset)
    .map(toSummary);
  const total = db.prepare<(string | number)[], number>(`SELECT count(*) FROM users ${where}`).pluck().get(...params) ?? 0;
  return { users, total };
}

/**
 * A user's records, newest first. An id merged into another user (an anonymousId, an alias's
 * previousId: docs/IMPORT.md, "Identity") gives the surviving user's timeline, through its link.
 */
export function userTimeline(db: Db, userId: string, limit: number): UserTimeline | null {
  const row =
    db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?').get(userId) ??
    db.prepare<[string], UserRow>('SELECT u.* FROM identity_links l JOIN users u USING (user_pk) WHERE l.id = ?').get(userId);
  if (!row) return null;
  // "name_id IN (all names)" lets the (name_id, user_pk, ts) index answer per name: a few dozen seeks, no scan.
  const perUser = 'FROM events e WHERE e.name_id IN (SELECT name_id FROM event_names) AND e.user_pk = ?';
  const entries = db
    .prepare<[number, number], { event_id: string; name: string; ts: number; properties: string | null }>(
      `SELECT e.event_id, n.name, e.ts, e.properties ${perUser.replace('FROM events e', 'FROM events e JOIN event_names n USING (name_id)')}
       ORDER BY e.ts DESC, e.event_pk DESC LIMIT ?`,
    )
    .all(row.user_pk, limit)
    .map(
      (e): TimelineEntry => ({
        id: e.event_id,
        name: e.name === '' ? null : e.name,
        ts: e.ts,
        data: e.properties === null ? null : (JSON.parse(e.properties) as Record<string, unknown>),
      }),
    );
  const total = db.prepare<[number], number>(`SELECT count(*) ${perUser}`).pluck().get(row.user_pk) ?? 0;
  return { user: toSummary(row), entries, total };
}
