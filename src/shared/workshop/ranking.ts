/**
 * Step 4's ranking, one rule for the worksheet, presenting mode and every export: most votes first,
 * then most impact (forecast improvement × the persona's users in step 3), then the worksheet's order.
 */
import { impactOf, totalVotes, type Opportunity, type Workshop } from './model';
import type { WorkshopUsage } from './usage';

export interface RankedOpportunity {
  opportunity: Opportunity;
  /** 1 = the most wanted. */
  rank: number;
  votes: number;
  /** Users in the opportunity's persona (step 3); null when unknown (no persona, or no figures yet). */
  groupSize: number | null;
  impact: number | null;
}

export function groupSizeOf(o: Opportunity, usage: WorkshopUsage | null): number | null {
  if (!usage || o.personaId === '') return null;
  return usage.personas.find((p) => p.personaId === o.personaId)?.users ?? null;
}

export function rankOpportunities(w: Workshop, usage: WorkshopUsage | null): RankedOpportunity[] {
  const scored = w.opportunities.map((opportunity, order) => {
    const groupSize = groupSizeOf(opportunity, usage);
    const impact = groupSize === null ? null : impactOf(opportunity.improvementPct, groupSize);
    return { opportunity, order, votes: totalVotes(opportunity), groupSize, impact };
  });
  scored.sort((a, b) => b.votes - a.votes || (b.impact ?? -1) - (a.impact ?? -1) || a.order - b.order);
  return scored.map(({ order: _order, ...rest }, i) => ({ ...rest, rank: i + 1 }));
}
