/**
 * Where each kind of message sits on the page, and so how many decide may return together (zod-free:
 * the delivery server and the SDK both read it). A modal, an NPS survey and a multi-question survey
 * block the page: at most one per decide. A banner (top or bottom) and a slideout (a corner card) do
 * not block: at most one of each besides the blocking one. Priority decides within each placement, and
 * the global cooldown spans them all (docs/DELIVERY.md, "How decide chooses").
 */
import type { MessageKind } from './model';

export type Placement = 'blocking' | 'banner' | 'slideout';

export const PLACEMENTS: readonly Placement[] = ['blocking', 'banner', 'slideout'];

export function placementOf(kind: MessageKind): Placement {
  return kind === 'banner' ? 'banner' : kind === 'slideout' ? 'slideout' : 'blocking';
}
