/**
 * What the companion shows for a message with a goal (issue 19): the exposed and holdout groups from
 * message_assigned, their conversions within the goal's window, the lift with its interval, the
 * cumulative conversion curves, and the split by persona and segment. Computed by
 * src/main/messages/lift.ts with the arithmetic of src/shared/stats/lift.ts.
 */
import type { GroupRate, Lift } from '../stats/lift';
import type { MessageGoal } from './model';

export type { GroupRate, Lift };

/** The event decide records when it assigns a user to a message's exposed or holdout group (src/delivery/store.ts). */
export const ASSIGNED_EVENT = 'message_assigned';
export type AssignmentGroup = 'exposed' | 'holdout';

/**
 * Where the control group comes from: `holdout`, the randomized holdout decide assigned; `estimated`, no
 * holdout exists (holdout 0%), so the control is estimated by replaying the history through decide (as
 * the backtest does): users the replay finds would have been shown the message but who were never
 * assigned, each counted from that first would-be impression; `none`, neither (no goal, or nobody).
 */
export type ControlSource = 'holdout' | 'estimated' | 'none';
/** The words every screen and the CLI put beside an estimated control. */
export const ESTIMATED_CONTROL_LABEL = 'estimated from history, not a randomized holdout';

/** One persona or segment: its members among each group, and the lift within it. */
export interface LiftSplit {
  label: string;
  exposed: GroupRate;
  holdout: GroupRate;
  lift: Lift;
}

export interface MessageLiftResults {
  messageId: string;
  /** The goal measured (the draft's, now: a goal set after the fact works too); null: no goal, nothing measured. */
  goal: MessageGoal | null;
  /** The draft's holdout percent (0: no control group). */
  holdoutPercent: number;
  windowDays: number;
  asOf: number;
  exposed: GroupRate;
  /** The control group: the holdout, or the estimated control when `control` is 'estimated'. */
  holdout: GroupRate;
  /** Where `holdout` comes from (ESTIMATED_CONTROL_LABEL says it in words for 'estimated'). */
  control: ControlSource;
  lift: Lift;
  /**
   * Cumulative conversion by day since assignment, 1..windowDays: of the users assigned at least `day`
   * days before asOf, the share who performed the goal within `day` days (null: no such user yet).
   */
  curve: { day: number; exposed: number | null; holdout: number | null }[];
  byPersona: LiftSplit[];
  bySegment: LiftSplit[];
  /** Users per group needed for a 2-point difference, from the holdout's current rate (0% without one). */
  neededPerGroup: number;
  /** The answer in one sentence ("Users who saw it upgraded 2.1 points more often (95% CI 0.8 to 3.4); 1,204 vs 301 users."); null without a lift. */
  sentence: string | null;
  /** Why the figures are not an answer yet, plainly ("Not enough users yet: …"); null when they are. */
  caution: string | null;
}
