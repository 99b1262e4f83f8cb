/**
 * Step 4's dot voting: how many dots a participant has, what the badge says about them (plainly, even
 * when a bundle or an older document carries more dots than the rule allows), and the order the list
 * keeps while the room is voting.
 */
import type { Workshop } from './model';

/** Dots each participant (or the room, when there are no participants) may spend. */
export const DOTS_PER_PARTICIPANT = 3;

export interface DotsBalance {
  used: number;
  limit: number;
  /** Dots still to spend; 0 once the limit is reached or passed. */
  left: number;
  /** Dots spent beyond the limit (an imported or older document); 0 within it. */
  over: number;
}

export function dotsBalance(w: Pick<Workshop, 'opportunities'>, voterId: string, limit = DOTS_PER_PARTICIPANT): DotsBalance {
  const used = w.opportunities.reduce((sum, o) => sum + (o.votes[voterId] ?? 0), 0);
  return { used, limit, left: Math.max(0, limit - used), over: Math.max(0, used - limit) };
}

/** The badge beside "Voting as": never a negative count. */
export function dotsBalanceText(b: DotsBalance): string {
  if (b.over > 0) return `${b.over} ${b.over === 1 ? 'dot' : 'dots'} over the limit of ${b.limit}: remove ${b.over === 1 ? 'one' : 'some'}`;
  return `${b.left} of ${b.limit} dots left`;
}

/**
 * The list in the order it was shown before, for as long as the room votes: a row someone just gave a
 * dot to stays under their pointer instead of jumping (as a sorted table in Notion or Airtable keeps an
 * edited row in place until it is re-sorted). Rows not seen before go last, in ranked order; rows gone
 * are dropped.
 */
export function keepOrder<T>(previous: readonly string[], ranked: readonly T[], idOf: (item: T) => string): T[] {
  const place = new Map(previous.map((id, i) => [id, i] as const));
  const known = ranked.filter((r) => place.has(idOf(r)));
  const fresh = ranked.filter((r) => !place.has(idOf(r)));
  known.sort((a, b) => (place.get(idOf(a)) ?? 0) - (place.get(idOf(b)) ?? 0));
  return [...known, ...fresh];
}
