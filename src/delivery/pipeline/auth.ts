/**
 * Credentials: admin endpoints take `Authorization: Bearer <admin token>`, client endpoints
 * `X-Guidepost-Key: <public key>`, and neither stands in for the other. `isAuthorized` only
 * checks; the refusal comes after the rate limit (failed guesses are counted too).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { fail, type Answer } from './answer';
import type { Access } from './route';

export interface Credentials {
  admin: Buffer;
  client: Buffer;
}

/** The server's two secrets, refused if weak or shared. */
export function createCredentials(adminToken: string, publicKey: string): Credentials {
  if (adminToken.length < 16) throw new Error('The admin token must be at least 16 characters long.');
  if (publicKey.length < 8) throw new Error('The public key must be at least 8 characters long.');
  if (adminToken === publicKey) throw new Error('The admin token and the public key must differ.');
  return { admin: Buffer.from(adminToken, 'utf8'), client: Buffer.from(publicKey, 'utf8') };
}

/**
 * Constant-time comparison (crypto.timingSafeEqual on equal-length buffers). A different length is
 * refused after a comparison of the same cost, so timing says nothing about the secret's content.
 */
export function sameSecret(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined || given === '') return false;
  const buffer = Buffer.from(given, 'utf8');
  if (buffer.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(buffer, expected);
}

/** Whether the request carries the credential its route takes (public routes take none). */
export function isAuthorized(access: Access, headers: IncomingHttpHeaders, credentials: Credentials): boolean {
  if (access === 'public') return true;
  if (access === 'admin') {
    const authorization = headers.authorization;
    const bearer = typeof authorization === 'string' && authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    return sameSecret(bearer, credentials.admin);
  }
  const key = headers['x-guidepost-key'];
  return sameSecret(typeof key === 'string' ? key : undefined, credentials.client);
}

/** The 401 for a route's missing or wrong credential, saying which one it takes. */
export function refuseUnauthorized(access: Access, authorized: boolean): Answer | undefined {
  if (authorized) return undefined;
  if (access === 'admin') {
    const answer = fail(401, 'unauthorized', 'Missing or wrong admin token (send Authorization: Bearer <admin token>; the public key does not work here)');
    answer.headers = { 'WWW-Authenticate': 'Bearer' };
    return answer;
  }
  return fail(401, 'unauthorized', 'Missing or wrong public key (send X-Guidepost-Key: <public key>; the admin token does not work here)');
}
