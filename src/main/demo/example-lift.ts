/**
 * The demo's measured message (issue 19): the upsell modal has a goal (plan_upgraded within 14 days) and
 * a 10% holdout, and the demo's synthetic history is one where the modal truly moves the goal. The first
 * time the modal passes every check for a starter admin at the project limit, the user is assigned by
 * the delivery server's own holdout draw (inHoldout, so the demo's groups are the ones a real server
 * would make) and a message_assigned event is written, as decide records it. Held-out users never see
 * the modal, and upgrade less often after hitting the limit than users who were shown it.
 *
 * Deterministic: the draw is a hash of user and message, and the upgrade chances only change the
 * threshold of a draw the demo makes anyway, so every other figure of the demo stays as it was.
 */
import { inHoldout } from '../../delivery/decide';
import { ASSIGNED_EVENT, type AssignmentGroup } from '../../shared/messages/lift-results';
import type { MessageGoal } from '../../shared/messages/model';

export const DEMO_UPSELL_GOAL: MessageGoal = { event: 'plan_upgraded', withinDays: 14 };
export const DEMO_UPSELL_HOLDOUT = 10;

/** The chance that a starter user at the project limit goes on to click upgrade: lower when held out of the modal. */
const UPGRADE_CHANCE = { shown: 0.3, heldOut: 0.12 } as const;

type EmitAssignment = (name: typeof ASSIGNED_EVENT, ts: number, properties: Record<string, unknown>) => void;

/** One user's assignment to the upsell, made the first time the modal passes every check for them. */
export function upsellAssignment(userId: string, messageId: string) {
  let group: AssignmentGroup | null = null;
  return {
    /** The modal passed every check at t: assigns the user once, and answers whether the modal may show (not held out). */
    passed(t: number, emit: EmitAssignment): boolean {
      if (group === null) {
        group = inHoldout(userId, messageId, DEMO_UPSELL_HOLDOUT) ? 'holdout' : 'exposed';
        // decide answers (and records the assignment) a moment after the event that triggered it.
        emit(ASSIGNED_EVENT, t + 400, { message_id: messageId, group });
      }
      return group === 'exposed';
    },
    /** The chance that the user goes on to upgrade after hitting the limit now. */
    upgradeChance(): number {
      return group === 'holdout' ? UPGRADE_CHANCE.heldOut : UPGRADE_CHANCE.shown;
    },
  };
}
