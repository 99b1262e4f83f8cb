/** The contract's data methods: what the cache holds, its "data as of", the event catalog, the users and the accounts. */
import { z } from 'zod';
import type { AccountMemberPage, AccountPage, CacheStatus, DailyVolumePoint, EventCatalogEntry, UserPage, UserTimeline } from '../types';
import { epochMs, method, noArgs, type HandlersFor } from './method';

/** A page of a list: at most 500 rows from an offset. */
const pageShape = { limit: z.number().int().min(1).max(500).optional(), offset: z.number().int().min(0).optional() };
/** A page of a searchable list (users, accounts). */
const searchedPage = z.object({ search: z.string().max(200).optional(), ...pageShape }).strict();

/** The users table's sortable columns, sorted in SQL so the order spans every page. */
export const USER_SORT_COLUMNS = ['id', 'firstSeen', 'lastSeen'] as const;
export type UserSortColumn = (typeof USER_SORT_COLUMNS)[number];

const usersRequest = z
  .object({
    search: z.string().max(200).optional(),
    ...pageShape,
    /** Default: last seen, descending (most recently active first). */
    sort: z.object({ column: z.enum(USER_SORT_COLUMNS), direction: z.enum(['ascending', 'descending']) }).strict().optional(),
    /** Only users whose trait `key` (a top-level trait) reads exactly `value` (numbers and booleans as written in JSON). */
    trait: z.object({ key: z.string().trim().min(1, 'Name the trait to filter by').max(200), value: z.string().max(1000) }).strict().optional(),
  })
  .strict();
export type UsersRequest = z.infer<typeof usersRequest>;

export const dataMethods = {
  getStatus: method<CacheStatus>()(noArgs),
  /** Moves the default `asOf`; null goes back to the instant the data itself implies. */
  setDataAsOf: method<CacheStatus>()(z.object({ asOf: epochMs.nullable() }).strict()),
  listEventCatalog: method<EventCatalogEntry[]>()(noArgs),
  getDailyVolume: method<DailyVolumePoint[]>()(
    z.object({ days: z.number().int().min(1).max(3660).optional() }).strict(),
  ),
  /**
   * Users with their traits, newest activity first unless `sort` says otherwise; `search` matches the id or
   * any trait value, `trait` keeps the users with that trait value.
   */
  listUsers: method<UserPage>()(usersRequest),
  /**
   * Accounts (from group calls) with their traits and member counts, most recently active first; `search`
   * matches the groupId or any trait value. The builder reads the first page for account trait suggestions.
   */
  listAccounts: method<AccountPage>()(searchedPage),
  /** One account's members, earliest member first. */
  getAccountMembers: method<AccountMemberPage>()(z.object({ groupId: z.string().min(1).max(1000), ...pageShape }).strict()),
  /** One user's records, newest first. */
  getUserTimeline: method<UserTimeline>()(
    z.object({ userId: z.string().min(1).max(1000), limit: z.number().int().min(1).max(1000).optional() }).strict(),
  ),
} as const;

export type DataHandlers = HandlersFor<typeof dataMethods>;
