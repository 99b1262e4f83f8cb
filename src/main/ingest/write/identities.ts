/**
 * Identity for one writer (an import, a sync page): every id a record names is linked to its user in
 * identity_links, the links a record carries (an anonymousId beside a userId, an alias call's
 * previousId) are resolved into merges when the writer finishes, and group calls are applied to
 * accounts and membership. The rules: docs/IMPORT.md, "Identity".
 *
 * During the writing, records keep the user_pk of their own user id; merges are decided once, at the
 * end, in JavaScript (a union-find over the user_pks involved, in the order of the linking records'
 * instants), and then applied to the cache by mergeUsers (user-merge.ts). A file without links pays
 * a bit per new user and the link rows: a new user's link is written when it is first noted (and again
 * only to become known), an existing user's held in a map until the end or LINKS_LIMIT.
 */
import type { Statement } from 'better-sqlite3';
import { mergeTrait } from '../../../shared/event-spec';
import { detached } from '../../../shared/strings';
import type { Db } from '../../db/connection';
import { BatchInserter } from '../../db/batch-insert';

/** Bits of Identities.newLinks: a link of the user's id was noted; it was noted as a known user's. */
const LINK_NOTED = 1;
const LINK_KNOWN = 2;

/** `array` grown (doubling) to hold index `at`. */
function grown(array: Uint8Array<ArrayBuffer>, at: number): Uint8Array<ArrayBuffer> {
  let size = array.length;
  while (size <= at) size *= 2;
  const larger = new Uint8Array(size);
  larger.set(array);
  return larger;
}

/** Links held in memory before they are written (files with very many ids). */
export const LINKS_LIMIT = 100_000;
/** Other users an anonymous id was seen with, kept per id to judge conflicts at the end. */
const OTHERS_LIMIT = 8;

interface LinkNote {
  pk: number;
  known: boolean;
}

/** The first record (by instant, then order) that linked an anonymous id's user to a known user. */
interface FirstLink {
  to: number;
  ts: number;
  seq: number;
  /** Other users' pks it was seen with (pre-merge), for the conflict count. */
  others: number[] | null;
}

interface AliasCall {
  from: number;
  to: number;
  ts: number;
  seq: number;
}

interface GroupCall {
  /** The caller's user_pk; -1 for an accounts row, which makes no member. */
  pk: number;
  groupId: string;
  traits: string | null;
  ts: number;
}

/** What the links decided: each merged user_pk → the user_pk that survives it. */
export interface Resolution {
  merges: Map<number, number>;
  /** Anonymous ids that stayed with their first user although a record named another. */
  conflicts: number;
}

export class Identities {
  /** Links of ids whose users were in the cache before this writer (new users' links are written at once, see newLinks). */
  private readonly links = new Map<string, LinkNote>();
  /** True once links were written before the end (their rows then carry pre-merge user_pks). */
  private linksWritten = false;
  private readonly firstLinks = new Map<number, FirstLink>();
  private readonly aliases: AliasCall[] = [];
  private readonly groups: GroupCall[] = [];
  /** New users (user_pk ≥ firstNewPk) that were some record's own user, by user_pk − firstNewPk. */
  private primary = new Uint8Array(1024);
  /**
   * What was noted of each new user's link, by user_pk − firstNewPk (LINK_NOTED, LINK_KNOWN): a new
   * user_pk was made for one id, so this says, without its id, whether a note of that id would change
   * anything. The parser threads send an id again each time their dictionaries start over (millions
   * of times in a file of many users): once its link is held or written, noting it again is a no-op,
   * and was a map entry, a copy of the id and a row upserted again each time.
   */
  private newLinks = new Uint8Array(1024);
  private seq = 0;
  /** Alias and group calls read (they store no event). */
  calls = 0;
  private readonly insertLinks: BatchInserter;
  private readonly knownInCache: Statement<[number], number>;

  constructor(
    private readonly db: Db,
    /** The first user_pk of a user new in this writer: lower ones may have rows, events and links in the cache. */
    private readonly firstNewPk: number,
    /** Links held before they are written (tests lower it to reach the early writes). */
    private readonly linksLimit = LINKS_LIMIT,
  ) {
    // An existing link keeps its user (it is already resolved: the id's user_pk came through it); only
    // an id that turns out to be a userId upgrades its `known`.
    this.insertLinks = new BatchInserter(
      db,
      'INSERT INTO identity_links',
      ['id', 'user_pk', 'known'],
      64,
      'ON CONFLICT (id) DO UPDATE SET known = 1 WHERE excluded.known = 1 AND identity_links.known = 0',
    );
    this.knownInCache = db.prepare<[number], number>('SELECT EXISTS (SELECT 1 FROM identity_links WHERE user_pk = ? AND known = 1)').pluck();
  }

  /** An id a record named, and its user_pk; `known` when it was the record's userId. */
  noteId(id: string, pk: number, known: boolean): void {
    const at = pk - this.firstNewPk;
    if (at >= 0) {
      const wanted = known ? LINK_NOTED | LINK_KNOWN : LINK_NOTED;
      if (at >= this.newLinks.length) this.newLinks = grown(this.newLinks, at);
      const noted = this.newLinks[at] as number;
      if ((noted & wanted) === wanted) return;
      this.newLinks[at] = noted | wanted;
      // Written at once rather than held: a new user's link is written again only to become known (the
      // upsert's update), and its user_pk is its own until finish() merges (mergeUsers and relinkWritten
      // move the links then, as for links written early). Held, tens of thousands of ids lived long
      // enough to fill the writer's old generation.
      this.insertLinks.add(id, pk, known ? 1 : 0);
      this.linksWritten = true;
      return;
    }
    const held = this.links.get(id);
    if (held) {
      if (known) held.known = true;
      return;
    }
    if (this.links.size >= this.linksLimit) this.writeLinks(null);
    this.links.set(detached(id), { pk, known });
  }

  /** The id (of user `pk`) was a record's userId (the parser threads tell this once per id, after its user_pk). */
  knownId(id: string, pk: number): void {
    this.noteId(id, pk, true);
  }

  /** A record's own user: a new user_pk noted here may have a row and events to merge. */
  own(pk: number): void {
    const at = pk - this.firstNewPk;
    if (at < 0) return;
    if (at >= this.primary.length) this.primary = grown(this.primary, at);
    this.primary[at] = 1;
  }

  /** A record with a userId (user `pk`) and a different anonymousId (user `anonymousPk`), at ts. */
  anonymousOf(anonymousPk: number, pk: number, ts: number): void {
    const seq = this.seq++;
    const first = this.firstLinks.get(anonymousPk);
    if (!first) {
      this.firstLinks.set(anonymousPk, { to: pk, ts, seq, others: null });
      return;
    }
    if (first.to === pk) {
      if (ts < first.ts) {
        first.ts = ts;
        first.seq = seq;
      }
      return;
    }
    // Another user: the earlier link is the first; the other is kept to judge the conflict at the end.
    const other = ts < first.ts ? first.to : pk;
    if (ts < first.ts) {
      first.to = pk;
      first.ts = ts;
      first.seq = seq;
    }
    const others = (first.others ??= []);
    if (!others.includes(other) && others.length < OTHERS_LIMIT) others.push(other);
  }

  /** An alias call: previousId's user (`fromPk`) merges into userId's (`toPk`), whoever they are. */
  alias(fromPk: number, toPk: number, ts: number): void {
    this.calls += 1;
    this.aliases.push({ from: fromPk, to: toPk, ts, seq: this.seq++ });
  }

  /** A group call of user `pk` (-1: an accounts row, no user): account groupId with these traits (JSON text, or null). */
  group(pk: number, groupId: string, traits: string | null, ts: number): void {
    this.calls += 1;
    this.groups.push({ pk, groupId: detached(groupId), traits, ts });
  }

  /**
   * Decides the merges: the links in the order of their records' instants (file order breaking ties),
   * an existing merge never undone. A record linking an anonymous id whose user already has a known id
   * (another userId's, from this writer or from the cache) changes nothing and is a conflict, unless
   * the two users are one by then; an alias call merges whatever users it names.
   */
  resolve(): Resolution {
    const parent = new Map<number, number>();
    const find = (pk: number): number => {
      let root = pk;
      for (let up = parent.get(root); up !== undefined; up = parent.get(root)) root = up;
      // Path compression: every pk on the way points at the root.
      for (let at = pk; at !== root; ) {
        const up = parent.get(at) as number;
        parent.set(at, root);
        at = up;
      }
      return root;
    };
    // Whether a user (a root) has a known id: from this writer's links, or from the cache's.
    const knownPks = new Set<number>();
    for (const note of this.links.values()) if (note.known) knownPks.add(note.pk);
    const known = new Map<number, boolean>();
    const isKnown = (root: number): boolean => {
      let answer = known.get(root);
      if (answer === undefined) {
        // A new user_pk was made for one id: whether that id was noted known says it all.
        if (root >= this.firstNewPk) answer = ((this.newLinks[root - this.firstNewPk] ?? 0) & LINK_KNOWN) !== 0;
        else answer = knownPks.has(root) || this.knownInCache.get(root) === 1;
        known.set(root, answer);
      }
      return answer;
    };
    type Step = { kind: 'anonymous' | 'alias'; from: number; to: number; ts: number; seq: number };
    const steps: Step[] = [];
    for (const [from, first] of this.firstLinks) steps.push({ kind: 'anonymous', from, to: first.to, ts: first.ts, seq: first.seq });
    for (const call of this.aliases) steps.push({ kind: 'alias', ...call });
    steps.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    let conflicts = 0;
    const refused = new Set<number>();
    for (const step of steps) {
      const from = find(step.from);
      const to = find(step.to);
      if (from === to) continue;
      if (step.kind === 'anonymous' && isKnown(from)) {
        refused.add(step.from);
        continue;
      }
      parent.set(from, to);
      known.set(to, step.kind === 'anonymous' || isKnown(from) || isKnown(to));
    }
    for (const [anonymousPk, first] of this.firstLinks) {
      const root = find(anonymousPk);
      const stayedElsewhere = refused.has(anonymousPk) && root !== find(first.to);
      if (stayedElsewhere || (first.others ?? []).some((other) => find(other) !== root)) conflicts += 1;
    }
    const merges = new Map<number, number>();
    for (const pk of parent.keys()) {
      const root = find(pk);
      if (root !== pk) merges.set(pk, root);
    }
    return { merges, conflicts };
  }

  /** Whether a merged user_pk may hold rows in the cache (an existing user, or a new one some record was about). */
  hasData(pk: number): boolean {
    const at = pk - this.firstNewPk;
    return at < 0 || (at < this.primary.length && this.primary[at] === 1);
  }

  /** Writes the links held, each at its user after `merges` (null: as resolved so far). */
  writeLinks(merges: Map<number, number> | null): void {
    for (const [id, note] of this.links) this.insertLinks.add(id, merges?.get(note.pk) ?? note.pk, note.known ? 1 : 0);
    this.insertLinks.flush();
    if (merges === null && this.links.size > 0) this.linksWritten = true;
    this.links.clear();
  }

  /**
   * Links written before the end (see LINKS_LIMIT) of merged users new in this writer and without rows
   * (mergeUsers moves the others' links): pointed at their survivors.
   */
  relinkWritten(merges: ReadonlyMap<number, number>): void {
    if (!this.linksWritten) return;
    const relink = this.db.prepare<[number, number]>('UPDATE identity_links SET user_pk = ? WHERE user_pk = ?');
    for (const [from, to] of merges) if (!this.hasData(from)) relink.run(to, from);
  }

  /**
   * Applies the group calls: each account's traits merged key by key like a user's (the later call
   * wins), its first and last seen, and the caller's membership since its earliest call. `userOf`
   * gives a user_pk's surviving user after the merges.
   */
  applyGroups(userOf: (pk: number) => number): void {
    if (this.groups.length === 0) return;
    const selectAccount = this.db.prepare<[string], { account_pk: number; traits: string; trait_times: string; first_seen: number | null; last_seen: number | null }>(
      'SELECT account_pk, traits, trait_times, first_seen, last_seen FROM accounts WHERE group_id = ?',
    );
    const insertAccount = this.db.prepare<[string, string, string, number, number]>(
      'INSERT INTO accounts (group_id, traits, trait_times, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)',
    );
    const updateAccount = this.db.prepare<[string, string, number, number, number]>(
      'UPDATE accounts SET traits = ?, trait_times = ?, first_seen = ?, last_seen = ? WHERE account_pk = ?',
    );
    const addMember = this.db.prepare<[number, number, number]>(
      'INSERT INTO account_members (user_pk, account_pk, since) VALUES (?, ?, ?) ON CONFLICT (user_pk, account_pk) DO UPDATE SET since = min(since, excluded.since)',
    );
    const byAccount = new Map<string, GroupCall[]>();
    for (const call of this.groups) {
      const calls = byAccount.get(call.groupId);
      if (calls) calls.push(call);
      else byAccount.set(call.groupId, [call]);
    }
    for (const [groupId, calls] of byAccount) {
      const stored = selectAccount.get(groupId);
      const values = stored ? (JSON.parse(stored.traits) as Record<string, unknown>) : {};
      const times = stored ? (JSON.parse(stored.trait_times) as Record<string, number>) : {};
      let first = stored?.first_seen ?? Infinity;
      let last = stored?.last_seen ?? -Infinity;
      for (const call of calls) {
        if (call.traits !== null) {
          const traits = JSON.parse(call.traits) as Record<string, unknown>;
          for (const key in traits) mergeTrait(values, times, key, traits[key], call.ts);
        }
        first = Math.min(first, call.ts);
        last = Math.max(last, call.ts);
      }
      let accountPk: number;
      if (stored) {
        accountPk = stored.account_pk;
        updateAccount.run(JSON.stringify(values), JSON.stringify(times), first, last, accountPk);
      } else accountPk = Number(insertAccount.run(groupId, JSON.stringify(values), JSON.stringify(times), first, last).lastInsertRowid);
      for (const call of calls) if (call.pk >= 0) addMember.run(userOf(call.pk), accountPk, call.ts);
    }
    this.groups.length = 0;
  }
}
