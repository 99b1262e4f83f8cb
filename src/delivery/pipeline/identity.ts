/**
 * Verified identity (issue 16, item 2): with identity secrets set, a client call acts for a userId only
 * when it carries `X-Guidepost-User-Hash: HMAC-SHA256(secret, userId)` in hex, which the customer's
 * backend computes for its signed-in user. The public key sits in every page, so without this anyone
 * can act as any user; with it, only a page the backend signed for that user can.
 *
 * Two secrets are accepted at once, for rotation. The handlers (handlers/client.ts) ask `verifies`
 * once they have read the body's userId; a refusal is `refuseUnverified`'s 401.
 */
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { fail, type Answer } from './answer';
import { sameSecret } from './auth';

/** The request header the hash travels in (lower case, as node:http names headers). */
export const USER_HASH_HEADER = 'x-guidepost-user-hash';
/** An identity secret signs users for the customer's backend: as long as the admin token must be. */
export const MIN_IDENTITY_SECRET_LENGTH = 16;
/** The current secret and the one being rotated out. */
export const MAX_IDENTITY_SECRETS = 2;
/**
 * Users whose expected hashes stay computed: two HMACs per call otherwise cost a decide a noticeable share
 * of its time. Keyed by userId (which the caller sends in clear), so a lookup tells nothing about a hash.
 */
export const EXPECTED_HASH_CACHE = 10_000;

export interface IdentityVerifier {
  /** Whether `hash` is HMAC-SHA256(secret, userId) in hex for one of the secrets, compared in constant time. */
  verifies(userId: string, hash: string | undefined): boolean;
}

/** What the customer's backend computes: HMAC-SHA256(secret, userId), hex. */
export function userHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/**
 * The verifier for these secrets, or null when there are none (identities are then unverified). Refuses
 * more than two, a short one, and one equal to the admin token or the public key (which every page holds).
 */
export function createIdentityVerifier(secrets: readonly string[], adminToken: string, publicKey: string): IdentityVerifier | null {
  if (secrets.length === 0) return null;
  if (secrets.length > MAX_IDENTITY_SECRETS) {
    throw new Error(`At most ${MAX_IDENTITY_SECRETS} identity secrets are accepted at once (the current one and the one being rotated out), not ${secrets.length}.`);
  }
  for (const secret of secrets) {
    if (secret.length < MIN_IDENTITY_SECRET_LENGTH) throw new Error(`An identity secret must be at least ${MIN_IDENTITY_SECRET_LENGTH} characters long.`);
    if (secret === publicKey) throw new Error('An identity secret must differ from the public key: every page holds the public key.');
    if (secret === adminToken) throw new Error('An identity secret must differ from the admin token.');
  }
  const keys = [...secrets];
  const expectedByUser = new Map<string, Buffer[]>();
  const expected = (userId: string): Buffer[] => {
    let hashes = expectedByUser.get(userId);
    if (hashes === undefined) {
      hashes = keys.map((secret) => Buffer.from(userHash(secret, userId), 'utf8'));
      // Oldest first out: insertion order is Map's iteration order.
      if (expectedByUser.size >= EXPECTED_HASH_CACHE) expectedByUser.delete(expectedByUser.keys().next().value as string);
      expectedByUser.set(userId, hashes);
    }
    return hashes;
  };
  return {
    verifies: (userId, hash) => {
      if (hash === undefined || hash === '') return false;
      const given = hash.trim().toLowerCase();
      // Every secret is compared, whichever matches: the time taken says nothing about which one did.
      let verified = false;
      for (const wanted of expected(userId)) verified = sameSecret(given, wanted) || verified;
      return verified;
    },
  };
}

/** The request's user hash, if it sent one. */
export function userHashOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[USER_HASH_HEADER];
  return typeof value === 'string' ? value : undefined;
}

/** The 401 for a call whose userId the hash does not sign: `what` names the call ("The decide call"). */
export function refuseUnverified(what: string, userId: string, hash: string | undefined): Answer {
  const shown = JSON.stringify(userId.length > 80 ? `${userId.slice(0, 80)}…` : userId);
  const problem = hash === undefined || hash === '' ? 'carries no X-Guidepost-User-Hash header' : 'carries an X-Guidepost-User-Hash that does not match it';
  return fail(
    401,
    'unverified_user',
    `${what} names userId ${shown} but ${problem}. This server verifies identities: send the hex HMAC-SHA256 of the userId, computed by your backend with the identity secret.`,
  );
}

/** Why a batch record was rejected: its user is not the one the hash signs. */
export function unverifiedRecordReason(userId: string): string {
  const shown = JSON.stringify(userId.length > 80 ? `${userId.slice(0, 80)}…` : userId);
  return `user ${shown} is not verified: the X-Guidepost-User-Hash header does not match it`;
}
