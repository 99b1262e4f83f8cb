/** The contract's data methods: what the cache holds, its "data as of", the event catalog, the users and the accounts. */
import { z } from 'zod';
import type { AccountMemberPage, AccountPage, CacheStatus, DailyVolumePoint, EventCatalogEntry, UserPage, UserTimeline } from '../types';
import { epochMs, method, noArgs, type HandlersFor } from './method';

/** A page of a list: at most 500 rows from an offset. */
const pageShape = { limit: z.number().int().min(1).max(500).optional(), offset: z.number().int().min(0).optional() };
/** A page of a searchable list (users, accounts). */
const searchedPage = z.object({ search: z.string().max(200).optional(), ...pageShape }).strict();

export const dataMethods = {
  getStatus: method<CacheStatus>()(noArgs),
  /** Moves the default `asOf`; null goes back to the instant the data itself implies. */
  setDataAsOf: method<CacheStatus>()(z.object({ asOf: epochMs.nullable() }).strict()),
  listEventCatalog: method<EventCatalogEntry[]>()(noArgs),
  getDailyVolume: method<DailyVolumePoint[]>()(
    z.object({ days: z.number().int().min(1).max(3660).optional() }).strict(),
  ),
  /** Users with their traits, newest activity first; `search` matches the id or any trait value. */
  listUsers: method<UserPage>()(searchedPage),
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
