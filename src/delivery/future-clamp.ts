/**
 * Client clocks run wrong. A record's instant is first corrected for the client's clock (its
 * `timestamp`, or `originalTimestamp` moved by arrival − `sentAt`, per the Segment spec); what is
 * still ahead of the server's clock by more than MAX_AHEAD_MS is stamped with the server's clock, so
 * a record (or an identify stamped 9999-12-31) cannot claim to come after everything the user does
 * later. GET /v1/health shows how many stored records were stamped so since the process started.
 */

/** How far ahead of the server's clock a corrected instant may be (clocks disagree a little). */
export const MAX_AHEAD_MS = 5 * 60_000;

/** The instant to store: `ts`, or `now` when `ts` is more than MAX_AHEAD_MS after it. */
export function clampToServerClock(ts: number, now: number): number {
  return ts - now > MAX_AHEAD_MS ? now : ts;
}

/** The count of stored records whose instant was clamped, since the server started (not stored). */
export interface ClampCounter {
  readonly clamped: number;
  add(n: number): void;
}

export function createClampCounter(): ClampCounter {
  let clamped = 0;
  return {
    get clamped() {
      return clamped;
    },
    add(n) {
      clamped += n;
    },
  };
}
