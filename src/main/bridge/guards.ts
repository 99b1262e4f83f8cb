import { timingSafeEqual } from 'node:crypto';

/**
 * The browser-mode bridge's gatekeeping, as pure functions so unit tests pin each rule.
 * A request must name our loopback host (this defeats DNS rebinding), come from our own origin
 * when it says where it comes from, and carry the per-run token for anything but static files.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

export function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
