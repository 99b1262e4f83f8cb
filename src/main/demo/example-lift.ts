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
 *
 * The main history has few starter admins at the limit (a few dozen assigned users: too few for an
 * answer). So after a starter admin's history is drawn, one the upsell never assigned who is still on
 * Starter may try to create a project at the limit at some of their logins since the upsell went live
 * (`extraLimitHits`): a usage_limit_hit, then the upsell's usual course (assignment, shown or held out,
 * upgrade more often when shown). These draws come from a generator of their own (DEMO_SEED + 3), so no
 * other figure of the demo moves; with them the upsell assigns about a thousand users, enough for an
 * interval that excludes 0, curves, and persona and segment splits.
 */
import { inHoldout } from '../../delivery/decide';
import { ASSIGNED_EVENT, type AssignmentGroup } from '../../shared/messages/lift-results';
import type { MessageGoal } from '../../shared/messages/model';
import type { Random } from '../../shared/random';

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
    /** Whether the user was assigned (by either history). */
    assigned(): boolean {
      return group !== null;
    },
  };
}

/** The chance that a login of a starter admin since the upsell went live includes a project-limit hit. */
export const EXTRA_HIT_CHANCE = 0.3;
/** The chance that an upgrade click ends in an upgrade (as in the main history). */
const UPGRADE_COMPLETES = 0.45;

type ExtraEvent = 'usage_limit_hit' | 'upgrade_clicked' | 'plan_upgraded';
export type EmitExtra = (name: ExtraEvent, ts: number, properties: Record<string, unknown>) => void;

/**
 * A starter admin's extra project-limit hits at their logins since `since` (ascending), each followed by
 * what the upsell does (`limitHit`: assigns, shows or holds out, under its frequency rules) and whether
 * they go on to upgrade; the first upgrade ends them. Draws from `rng` only.
 */
export function extraLimitHits(
  rng: Random,
  logins: readonly number[],
  since: number,
  upsell: { limitHit(t: number): boolean; upgradeChance(): number; upgradeChoice(t: number, clicked: boolean, random: Random): void },
  emit: EmitExtra,
): void {
  for (const login of logins) {
    if (login < since || !rng.chance(EXTRA_HIT_CHANCE)) continue;
    let t = login + rng.int(60_000, 1_800_000);
    emit('usage_limit_hit', t, { limit: 'projects', plan: 'starter', used: 3 });
    const shown = upsell.limitHit(t);
    const upgrading = rng.chance(upsell.upgradeChance());
    if (shown) upsell.upgradeChoice(t, upgrading, rng);
    if (!upgrading) continue;
    emit('upgrade_clicked', (t += rng.int(2000, 30_000)), { source: 'limit_modal' });
    if (rng.chance(UPGRADE_COMPLETES)) {
      emit('plan_upgraded', t + rng.int(30_000, 300_000), { from: 'starter', to: 'growth' });
      return;
    }
  }
}
