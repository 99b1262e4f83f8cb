/**
 * The client endpoints the SDK calls: identify and track store records (each one validated alone;
 * a rejected record does not sink its batch), group stores a group call (the user's membership of an
 * account, and the account's traits), decide answers which live messages to show.
 */
import { derivedRecordId, idOf, instantFromTimeFields, MAX_RECORD_BYTES, utf8Length } from '../../shared/event-spec';
import type { AssignmentWriter } from '../assignments';
import { chooseMessages, decideAnswerJson, needsProfile, type Assignment, type DecideProfile } from '../decide';
import type { DeliveryEngine } from '../engine/types';
import { clampToServerClock, type ClampCounter } from '../future-clamp';
import { IngestionBusy, IngestionStopped, MAX_TS, MIN_TS, strictField, type Ingestion, type IngestResult, type RecordRefusal } from '../ingest';
import { fail, type Answer } from '../pipeline/answer';
import { refuseUnverified, unverifiedRecordReason, type IdentityVerifier } from '../pipeline/identity';
import type { Context, Handler } from '../pipeline/run';
import type { ProfileCache } from '../profiles';
import { decideSchema, describeIssues, groupSchema, identifySchema, trackSchema } from '../schemas';
import { reservedRecordReason } from '../store';
import { invalid } from './common';
import type { LiveMessages } from './live-messages';

export interface ClientHandlers {
  identify: Handler;
  group: Handler;
  track: Handler;
  decide: Handler;
}

/** The user a raw record acts for, as normalizeRecord reads it: its userId, else its anonymousId (null: neither). */
function recordUser(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const raw = item as Record<string, unknown>;
  return idOf(raw.userId) ?? idOf(raw.anonymousId);
}

/**
 * The answer to a call whose records the server stopped storing part way (it is shutting down): what
 * was stored stays, and the same call sent again stores the rest (the stored ones are duplicates).
 */
function stoppedAnswer(what: string, stopped: IngestionStopped): Answer {
  const done = stopped.stoppedAt === 0 ? 'nothing of it was stored' : `its first ${stopped.stoppedAt} of ${stopped.total} records were handled (stored, or rejected), the rest were not`;
  return fail(503, 'unavailable', `The server is stopping: ${what} was cut short and ${done}. Send it again: the records already stored count as duplicates.`);
}

/**
 * The answer to a long batch refused whole because the server already holds too many records waiting to be
 * stored (ingest.ts MAX_PENDING_RECORDS): nothing of it was stored, and Retry-After says when to send it again.
 */
function busyAnswer(what: string, busy: IngestionBusy): Answer {
  const answer = fail(
    503,
    'unavailable',
    `The server is busy storing ${busy.pending} records of other batches: nothing of ${what} was stored. Send it again in ${busy.retryAfterSeconds} s (Retry-After), or in smaller batches.`,
  );
  answer.headers = { 'Retry-After': String(busy.retryAfterSeconds) };
  return answer;
}

/** Ingests records, or answers 503 when the server stops part way or is too busy to start (any other failure propagates). */
async function ingestOrStop(ingestion: Ingestion, what: string, raws: readonly unknown[], now: number, refuse?: RecordRefusal): Promise<IngestResult | Answer> {
  try {
    return await ingestion.ingest(raws, now, refuse);
  } catch (err) {
    if (err instanceof IngestionStopped) return stoppedAnswer(what, err);
    if (err instanceof IngestionBusy) return busyAnswer(what, err);
    throw err;
  }
}

/**
 * `ingestion` stores identify and track records (in slices, ingest.ts); `clamps` counts the stored group
 * calls whose instant was too far ahead and took the server's clock; `identity` (null: identities
 * unverified) is asked whether the request's user hash signs each userId.
 */
export function createClientHandlers(
  engine: Pick<DeliveryEngine, 'group'>,
  profiles: ProfileCache,
  live: LiveMessages,
  clamps: ClampCounter,
  ingestion: Ingestion,
  assignments: AssignmentWriter,
  identity: IdentityVerifier | null = null,
  onUsersChanged: (userIds: readonly string[]) => void = () => undefined,
): ClientHandlers {
  /** The 401 for a single-user call whose userId the request's hash does not sign; undefined when it may go on. */
  const unverified = (what: string, userId: string, ctx: Context): Answer | undefined =>
    identity === null || identity.verifies(userId, ctx.userHash) ? undefined : refuseUnverified(what, userId, ctx.userHash);

  return {
    identify: async (ctx) => {
      const parsed = identifySchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The identify call', describeIssues(parsed.error));
      const { userId, traits, timestamp, messageId: recordId } = parsed.data;
      const refusal = unverified('The identify call', userId, ctx);
      if (refusal) return refusal;
      const raw = { type: 'identify', userId, traits: traits ?? {}, timestamp, ...(recordId === undefined ? {} : { messageId: recordId }) };
      const result = await ingestOrStop(ingestion, 'the identify call', [raw], ctx.now);
      if ('status' in result) return result;
      const rejection = result.rejected[0];
      if (rejection?.tooLarge) return fail(413, 'too_large', `The identify call was refused: ${rejection.reason}. Nothing of it was stored.`);
      if (rejection) return fail(400, 'invalid_argument', `The identify call is not valid: ${rejection.reason}`);
      return { status: 200, body: { accepted: result.accepted, duplicates: result.duplicates } };
    },
    group: async (ctx) => {
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
      const reserved = reservedRecordReason({ kind: 'group', id, userId, name: '', ts, data: null });
      if (reserved !== null) return fail(400, 'invalid_argument', `The group call is not valid: ${reserved}`);
      const call = { id, userId, groupId, ts: clampToServerClock(ts, ctx.now), traits: traits ?? null };
      const applied = await engine.group(call, ctx.now);
      if (applied === null) return { status: 200, body: { accepted: 0, duplicates: 1 } };
      if ('refused' in applied) return fail(409, 'limit_reached', `The group call for account “${groupId}” was refused: ${applied.refused}.`);
      if (call.ts !== ts) clamps.add(1);
      profiles.applyGroup(applied);
      onUsersChanged([userId]);
      return { status: 200, body: { accepted: 1, duplicates: 0 } };
    },
    track: async (ctx) => {
      const parsed = trackSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The batch', describeIssues(parsed.error));
      const { batch } = parsed.data;
      let refuse: RecordRefusal | undefined;
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
      const result = await ingestOrStop(ingestion, 'the batch', batch, ctx.now, refuse);
      if ('status' in result) return result;
      // A batch's identify over the traits cap is one rejected record among the others, like any invalid one.
      return { status: 200, body: { ...result, rejected: result.rejected.map(({ index, reason }) => ({ index, reason })) } };
    },
    decide: (ctx) => {
      const parsed = decideSchema.safeParse(ctx.body);
      if (!parsed.success) return invalid('The decide call', describeIssues(parsed.error));
      const request = parsed.data;
      const refusal = unverified('The decide call', request.userId, ctx);
      if (refusal) return refusal;
      const messages = live.current;
      /** The answer, with the profile read through `profile` only when a message needs it. */
      const answer = (profile: () => DecideProfile): Answer => {
        const passed: Assignment[] = [];
        const chosen = chooseMessages(messages, request, profile, ctx.now, passed);
        // The first time decide would return a message to a user (every check passed), the user joins its
        // exposed or holdout group: stored once, at the end of this turn with the other decides' (assignments.ts).
        assignments.assign(request.userId, passed, ctx.now);
        return { status: 200, jsonText: decideAnswerJson(chosen) };
      };
      // A cached profile is read without a database round trip, and the answer made without a promise. An
      // uncached one is loaded only when a message needs it: on SQLite at once, when chooseMessages first
      // asks; on PostgreSQL it is awaited first, so whether any message needs it is judged before the load.
      const cached = profiles.cached(request.userId);
      if (cached !== undefined) return answer(() => cached);
      if (profiles.loadsAtOnce) return answer(() => profiles.now(request.userId) as DecideProfile);
      if (!needsProfile(messages, request, ctx.now)) {
        return answer(() => {
          throw new Error('decide read a profile that needsProfile said it would not need');
        });
      }
      return profiles.get(request.userId).then((loaded) => answer(() => loaded));
    },
  };
}
