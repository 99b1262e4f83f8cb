/**
 * The client endpoints the SDK calls: identify and track store records (each one validated alone;
 * a rejected record does not sink its batch), group stores a group call (the user's membership of an
 * account, and the account's traits), decide answers which live messages to show.
 */
import {
  derivedRecordId,
  idOf,
  instantFromTimeFields,
  MAX_RECORD_BYTES,
  normalizeRecord,
  parseTimestamp,
  utcInstant,
  utf8Length,
  type TimeField,
} from '../../shared/event-spec';
import { chooseMessages, decideAnswerJson } from '../decide';
import { clampToServerClock, type ClampCounter } from '../future-clamp';
import { fail, type Answer } from '../pipeline/answer';
import { refuseUnverified, unverifiedRecordReason, type IdentityVerifier } from '../pipeline/identity';
import type { Context, Handler } from '../pipeline/run';
import type { ProfileCache } from '../profiles';
import { decideSchema, describeIssues, groupSchema, identifySchema, trackSchema } from '../schemas';
import type { DeliveryStore, IncomingRecord, RecordType } from '../store';
import { invalid } from './common';
import type { LiveMessages } from './live-messages';

/** Timestamps the export can write as ISO 8601 with a four-digit year. */
const MIN_TS = utcInstant(0, 1, 1);
const MAX_TS = utcInstant(10000, 1, 1) - 1;

export interface ClientHandlers {
  identify: Handler;
  group: Handler;
  track: Handler;
  decide: Handler;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** `tooLarge`: an identify refused because the user's traits would pass their cap (store.ts MAX_TRAIT_KEYS). */
  rejected: { index: number; reason: string; tooLarge?: true }[];
}

/** The Segment-spec type a raw record arrives as (normalizeRecord accepted it). */
function recordType(raw: Record<string, unknown>): RecordType {
  const type = raw.type;
  if (typeof type === 'string' && type !== '') return type.toLowerCase() as RecordType;
  return raw.event !== undefined ? 'track' : 'identify';
}

/** One time field read by the strict parser (ISO 8601 with a zone, or epoch ms), its name in the reason. */
function strictField(value: unknown, field: TimeField): number | string {
  const instant = parseTimestamp(value);
  return typeof instant === 'number' || field === 'timestamp' ? instant : `${field}: ${instant}`;
}

/** The user a raw record acts for, as normalizeRecord reads it: its userId, else its anonymousId (null: neither). */
function recordUser(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const raw = item as Record<string, unknown>;
  return idOf(raw.userId) ?? idOf(raw.anonymousId);
}

/**
 * `clamps` counts the stored records whose instant was too far ahead and took the server's clock;
 * `identity` (null: identities unverified) is asked whether the request's user hash signs each userId.
 */
export function createClientHandlers(
  store: DeliveryStore,
  profiles: ProfileCache,
  live: LiveMessages,
  clamps: ClampCounter,
  identity: IdentityVerifier | null = null,
): ClientHandlers {
  /** The 401 for a single-user call whose userId the request's hash does not sign; undefined when it may go on. */
  const unverified = (what: string, userId: string, ctx: Context): Answer | undefined =>
    identity === null || identity.verifies(userId, ctx.userHash) ? undefined : refuseUnverified(what, userId, ctx.userHash);

  /**
   * Validates and stores records; per-record rejections are reported, not fatal. `refuse` gives the
   * reason a record may not be stored before it is read (its user is not verified), or null.
   */
  const ingest = (raws: readonly unknown[], now: number, refuse: (item: unknown, index: number) => string | null = () => null): IngestResult => {
    const rejected: IngestResult['rejected'] = [];
    const valid: IncomingRecord[] = [];
    /** Each valid record's place in the request, for the rejections the store makes. */
    const validIndex: number[] = [];
    const clamped = new Set<IncomingRecord>();
    raws.forEach((item, index) => {
      const refusal = refuse(item, index);
      if (refusal !== null) {
        rejected.push({ index, reason: refusal });
        return;
      }
      // The spec's chain, with this server's arrival as receivedAt: a record without any time field
      // happened when it arrived, and an SDK's un-timestamped message is corrected for its clock's skew.
      const result = normalizeRecord(item, undefined, { instantOf: (raw) => instantFromTimeFields(raw, strictField, now) });
      if (!result.ok) rejected.push({ index, reason: result.reason });
      else if (result.record.ts < MIN_TS || result.record.ts > MAX_TS) {
        rejected.push({ index, reason: 'timestamp is outside the years 0000 to 9999' });
      } else {
        // The id was derived (or given) before the clamp, so a replay of the same record stays a duplicate.
        const ts = clampToServerClock(result.record.ts, now);
        const incoming = { type: recordType(item as Record<string, unknown>), record: { ...result.record, ts } };
        if (ts !== result.record.ts) clamped.add(incoming);
        valid.push(incoming);
        validIndex.push(index);
      }
    });
    const applied = store.transaction(() => valid.map((incoming) => store.ingest(incoming, now)));
    let accepted = 0;
    let duplicates = 0;
    applied.forEach((change, i) => {
      if (change === null) {
        duplicates += 1;
        return;
      }
      if ('refused' in change) {
        rejected.push({ index: validIndex[i] as number, reason: change.refused, tooLarge: true });
        return;
      }
      accepted += 1;
      if (clamped.has(valid[i] as IncomingRecord)) clamps.add(1);
      profiles.apply(change);
    });
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, duplicates, rejected };
  };

  return {
    identify: (ctx) => {
      const parsed = identifySchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The identify call', describeIssues(parsed.error));
      const { userId, traits, timestamp, messageId: recordId } = parsed.data;
      const refusal = unverified('The identify call', userId, ctx);
      if (refusal) return refusal;
      const raw = { type: 'identify', userId, traits: traits ?? {}, timestamp, ...(recordId === undefined ? {} : { messageId: recordId }) };
      const result = ingest([raw], ctx.now);
      const rejection = result.rejected[0];
      if (rejection?.tooLarge) return fail(413, 'too_large', `The identify call was refused: ${rejection.reason}. Nothing of it was stored.`);
      if (rejection) return fail(400, 'invalid_argument', `The identify call is not valid: ${rejection.reason}`);
      return { status: 200, body: { accepted: result.accepted, duplicates: result.duplicates } };
    },
    group: (ctx) => {
      const parsed = groupSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The group call', describeIssues(parsed.error));
      const { userId, groupId, traits, timestamp, messageId } = parsed.data;
      const refusal = unverified('The group call', userId, ctx);
      if (refusal) return refusal;
      // The same limit as any record's (and the same 400 as an identify call over it), on the call as compact JSON.
      const bytes = utf8Length(JSON.stringify(parsed.data));
      if (bytes > MAX_RECORD_BYTES) {
        return fail(400, 'invalid_argument', `The group call is not valid: it is ${bytes} bytes of JSON, more than the ${MAX_RECORD_BYTES}-byte limit of a record`);
      }
      const ts = instantFromTimeFields({ timestamp }, strictField, ctx.now);
      if (typeof ts === 'string') return fail(400, 'invalid_argument', `The group call is not valid: ${ts}`);
      if (ts < MIN_TS || ts > MAX_TS) return fail(400, 'invalid_argument', 'The group call is not valid: timestamp is outside the years 0000 to 9999');
      const id = messageId === undefined ? derivedRecordId('group', userId, groupId, ts, traits ?? null) : String(messageId);
      const call = { id, userId, groupId, ts: clampToServerClock(ts, ctx.now), traits: traits ?? null };
      const applied = store.transaction(() => store.group(call, ctx.now));
      if (applied === null) return { status: 200, body: { accepted: 0, duplicates: 1 } };
      if ('refused' in applied) return fail(409, 'limit_reached', `The group call for account “${groupId}” was refused: ${applied.refused}.`);
      if (call.ts !== ts) clamps.add(1);
      profiles.applyGroup(applied);
      return { status: 200, body: { accepted: 1, duplicates: 0 } };
    },
    track: (ctx) => {
      const parsed = trackSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The batch', describeIssues(parsed.error));
      const { batch } = parsed.data;
      let refuse: ((item: unknown, index: number) => string | null) | undefined;
      if (identity !== null) {
        // The hash signs one user: that user's records go on, any other user's are rejected by name.
        // A batch that holds no record of a verified user is refused whole, as a single call would be.
        const verified = new Map<string, boolean>();
        const isVerified = (userId: string): boolean => {
          let known = verified.get(userId);
          if (known === undefined) verified.set(userId, (known = identity.verifies(userId, ctx.userHash)));
          return known;
        };
        const users = batch.map(recordUser);
        const named = users.filter((user): user is string => user !== null);
        if (named.length > 0 && !named.some(isVerified)) return refuseUnverified('The batch', named[0] as string, ctx.userHash);
        refuse = (_item, index) => {
          const user = users[index] ?? null;
          return user === null || isVerified(user) ? null : unverifiedRecordReason(user);
        };
      }
      const result = ingest(batch, ctx.now, refuse);
      // A batch's identify over the traits cap is one rejected record among the others, like any invalid one.
      return { status: 200, body: { ...result, rejected: result.rejected.map(({ index, reason }) => ({ index, reason })) } };
    },
    decide: (ctx) => {
      const parsed = decideSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The decide call', describeIssues(parsed.error));
      const request = parsed.data;
      const refusal = unverified('The decide call', request.userId, ctx);
      if (refusal) return refusal;
      const chosen = chooseMessages(live.current, request, () => profiles.get(request.userId), ctx.now);
      return { status: 200, jsonText: decideAnswerJson(chosen) };
    },
  };
}
