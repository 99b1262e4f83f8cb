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

export function listUsers(db: Db, search: string | undefined, limit: number, offset: number): UserPage {
  const text = search?.trim() ?? '';
  if (text === '') {
    const users = db
      .prepare<[number, number], UserRow>('SELECT * FROM users ORDER BY last_seen DESC, user_pk LIMIT ? OFFSET ?')
      .all(limit, offset)
      .map(toSummary);
    const total = db.prepare<[], number>('SELECT count(*) FROM users').pluck().get() ?? 0;
    return { users, total };
  }
  const pattern = containing(text);
  const where = "WHERE id LIKE ? ESCAPE '\\' OR traits LIKE ? ESCAPE '\\'";
  const users = db
    .prepare<[string, string, number, number], UserRow>(`SELECT * FROM users ${where} ORDER BY last_seen DESC, user_pk LIMIT ? OFFSET ?`)
    .all(pattern, pattern, limit, offset)
    .map(toSummary);
  const total = db.prepare<[string, string], number>(`SELECT count(*) FROM users ${where}`).pluck().get(pattern, pattern) ?? 0;
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
