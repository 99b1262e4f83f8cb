/**
 * The demo workspace's two messages for Taskly, published as version 1 (the demo has no delivery
 * server: publishing again from the app sends version 2): an upsell modal for starter-plan admins who
 * hit the project limit, and an NPS survey for engaged users. Each targets a saved segment the demo
 * creates. generate.ts writes their synthetic results (message_shown, message_dismissed,
 * message_clicked, survey_answered) with `MessageEventPlanner`, so the results screens have data.
 *
 * Everything is fixed (ids, timestamps from the demo's "data as of", a seeded generator), so every
 * demo cache holds the same messages and the same results.
 */
import type { MessageDraft } from '../../shared/messages/model';
import { Random } from '../../shared/random';
import type { Rule } from '../../shared/segments/rule';
import type { Db } from '../db/connection';
import { recordPublishedExamples } from '../messages/service';
import { SegmentService } from '../segments/service';
import { DEMO_UPSELL_GOAL, DEMO_UPSELL_HOLDOUT, extraLimitHits, upsellAssignment, type EmitExtra } from './example-lift';

/** DEMO_AS_OF as a literal (generate.ts imports this module; see example-workshop.ts). */
const AS_OF = Date.UTC(2026, 5, 30);
const DAY_MS = 86_400_000;

export const UPSELL_MESSAGE_ID = 'demo-upsell-project-limit';
export const NPS_MESSAGE_ID = 'demo-nps-engaged';
export const UPSELL_SEGMENT_ID = 'demo-starter-admins-at-limit';
export const ENGAGED_SEGMENT_ID = 'demo-engaged-users';

/** When each went live: the upsell eight weeks before "data as of", the survey five. */
export const UPSELL_START = AS_OF - 56 * DAY_MS;
export const NPS_START = AS_OF - 35 * DAY_MS;
/** Engaged: at least this many logins in the 30 days before. */
export const ENGAGED_LOGINS = 6;

export const MESSAGE_EVENT_NAMES = ['message_shown', 'message_dismissed', 'message_clicked', 'survey_answered', 'message_assigned'] as const;
export type MessageEventName = (typeof MESSAGE_EVENT_NAMES)[number];

const upsellRule: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'trait', trait: 'plan', op: 'eq', value: 'starter' },
    { type: 'trait', trait: 'role', op: 'eq', value: 'admin' },
    { type: 'event', event: 'usage_limit_hit', op: '>=', count: 1, where: [{ property: 'limit', op: 'eq', value: 'projects' }] },
  ],
};

const engagedRule: Rule = {
  version: 1,
  match: 'all',
  conditions: [{ type: 'event', event: 'login', op: '>=', count: ENGAGED_LOGINS, within: { days: 30 } }],
};

const upsell: MessageDraft = {
  id: UPSELL_MESSAGE_ID,
  name: 'Upsell: starter admins at the project limit',
  kind: 'modal',
  modal: {
    title: 'Your team has outgrown Starter',
    body: 'Starter includes **3 projects**. Growth gives you unlimited projects, timeline reports and guest access.\n\n- Keep every project in one place\n- Upgrade in one click, cancel any time',
    cta: { label: 'See Growth plans', url: 'https://app.taskly.example/billing/upgrade?from=limit_modal' },
    dismissLabel: 'Not now',
  },
  target: { type: 'segment', segmentId: UPSELL_SEGMENT_ID },
  trigger: { event: { name: 'usage_limit_hit', where: [{ property: 'limit', op: 'eq', value: 'projects' }] } },
  frequency: { everyDays: 7, maxTimes: 3 },
  cooldownHours: 24,
  schedule: { start: new Date(UPSELL_START).toISOString() },
  rollout: 100,
  priority: 10,
  goal: DEMO_UPSELL_GOAL,
  holdout: DEMO_UPSELL_HOLDOUT,
  environment: 'production',
  archived: false,
};

const nps: MessageDraft = {
  id: NPS_MESSAGE_ID,
  name: 'NPS: engaged users',
  kind: 'nps',
  nps: {
    question: 'How likely are you to recommend Taskly to a friend or colleague?',
    lowLabel: 'Not at all likely',
    highLabel: 'Extremely likely',
    followUp: {
      promoter: 'What do you love most about Taskly?',
      passive: 'What would make Taskly a 10 for you?',
      detractor: 'What disappointed you, and what should we fix first?',
    },
    thankYou: 'Thank you! Your answer goes straight to the product team.',
  },
  target: { type: 'segment', segmentId: ENGAGED_SEGMENT_ID },
  trigger: { event: { name: 'login' }, delaySeconds: 2 },
  frequency: { once: true },
  cooldownHours: 24,
  schedule: { start: new Date(NPS_START).toISOString() },
  rollout: 100,
  priority: 0,
  environment: 'production',
  archived: false,
};

/** Writes the two segments and the two messages (published as version 1). Runs inside the demo's transaction. */
export function insertExampleMessages(db: Db): void {
  const createdAt = AS_OF - 57 * DAY_MS;
  const segments = new SegmentService(db, () => createdAt);
  segments.save({
    id: UPSELL_SEGMENT_ID,
    name: 'Starter admins at the project limit',
    description: 'Admins on the Starter plan who hit the 3-project limit: the upsell modal’s audience.',
    rule: upsellRule,
  });
  segments.save({
    id: ENGAGED_SEGMENT_ID,
    name: 'Engaged users',
    description: `Logged in at least ${ENGAGED_LOGINS} times in the last 30 days: the NPS survey’s audience.`,
    rule: engagedRule,
  });
  recordPublishedExamples(db, [
    { message: upsell, targetName: 'Starter admins at the project limit', rule: upsellRule, at: UPSELL_START - DAY_MS },
    { message: nps, targetName: 'Engaged users', rule: engagedRule, at: NPS_START - DAY_MS },
  ]);
}

type Emit = (name: MessageEventName, ts: number, properties: Record<string, unknown>) => void;

const COMMENTS = {
  promoter: [
    'The board view keeps the whole team on the same page.',
    'Reports save me an hour every Monday.',
    'Simple enough for the whole team, powerful enough for me.',
    'The timeline export is exactly what our clients want to see.',
    'Love the integrations, Slack updates are spot on.',
  ],
  passive: [
    'Good, but the mobile app feels slow.',
    'Would be a 10 with better recurring tasks.',
    'Reports are great, wish I could schedule them.',
    'Fine for us, though notifications get noisy.',
  ],
  detractor: [
    'Hitting the project limit on Starter is frustrating.',
    'Too expensive to add the whole team.',
    'Search never finds the task I want.',
    'The app logs me out constantly on mobile.',
    'Setting up permissions as an admin is confusing.',
  ],
} as const;

/**
 * Decides, user by user as the demo generates them, who saw the two messages and what they did. It
 * draws from its own seeded generator, so the rest of the demo's data is what it was without it.
 */
export class MessageEventPlanner {
  private readonly rng: Random;
  /** The upsell's extra limit hits draw from their own generator (example-lift.ts): DEMO_SEED + 3 for the demo. */
  private readonly extraRng: Random;

  constructor(seed: number, extraSeed = seed + 2) {
    this.rng = new Random(seed);
    this.extraRng = new Random(extraSeed);
  }

  /** Per user: the upsell shows right after a project-limit hit once it is live, at most 3 times, 7 days apart. */
  user(profile: { userId: string; role: string; plan: string; power: boolean }, emit: Emit) {
    const rng = this.rng;
    const upsellShows: number[] = [];
    const assignment = upsellAssignment(profile.userId, UPSELL_MESSAGE_ID);
    let surveyed = false;
    const logins: number[] = [];
    const self = {
      /** A starter admin hit the limit at t; returns whether the modal was shown (then `upgradeChoice` follows). */
      limitHit: (t: number): boolean => {
        const last = upsellShows[upsellShows.length - 1];
        if (profile.role !== 'admin' || t < UPSELL_START || upsellShows.length >= 3 || (last !== undefined && t - last < 7 * DAY_MS)) return false;
        // Held out (example-lift.ts): assigned, never shown, no show counted against its frequency.
        if (!assignment.passed(t, emit)) return false;
        upsellShows.push(t);
        emit('message_shown', t + 800, { message_id: UPSELL_MESSAGE_ID });
        return true;
      },
      /** The chance that they go on to upgrade after a limit hit: the modal moves it (example-lift.ts). */
      upgradeChance: (): number => assignment.upgradeChance(),
      /** After a shown modal: clicked when they went on to upgrade, else mostly dismissed. */
      upgradeChoice: (t: number, clicked: boolean, random: Random = rng): void => {
        if (clicked) emit('message_clicked', t + 1500, { message_id: UPSELL_MESSAGE_ID });
        else if (random.chance(0.85)) emit('message_dismissed', t + random.int(2000, 15_000), { message_id: UPSELL_MESSAGE_ID });
      },
      /**
       * Once the user's history is drawn: a starter admin still on Starter whom the upsell never assigned
       * may hit the project limit at some logins since it went live (example-lift.ts, its own generator).
       */
      finish: (stillStarter: boolean, emitExtra: EmitExtra): void => {
        if (profile.role !== 'admin' || profile.plan !== 'starter' || !stillStarter || assignment.assigned()) return;
        extraLimitHits(this.extraRng, logins, UPSELL_START, self, emitExtra);
      },
      /** A login at t: engaged users see the survey on their first login once it is live. */
      login: (t: number, limitHits: number): void => {
        logins.push(t);
        if (surveyed || t < NPS_START) return;
        const recent = logins.filter((l) => l > t - 30 * DAY_MS).length;
        if (recent < ENGAGED_LOGINS) return;
        surveyed = true;
        const shownAt = t + 2000;
        emit('message_shown', shownAt, { message_id: NPS_MESSAGE_ID });
        if (!rng.chance(0.55)) {
          emit('message_dismissed', shownAt + rng.int(1500, 20_000), { message_id: NPS_MESSAGE_ID });
          return;
        }
        // Power users love it; starter accounts that keep hitting the limit less so.
        let mean = profile.power ? 8.6 : 7.4;
        if (profile.plan === 'starter') mean -= 1.2 + Math.min(limitHits, 3) * 0.6;
        if (profile.role === 'admin') mean -= 0.4;
        const spread = (rng.next() + rng.next() + rng.next()) / 3 - 0.5;
        const score = Math.max(0, Math.min(10, Math.round(mean + spread * 7)));
        const category = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
        const properties: Record<string, unknown> = { message_id: NPS_MESSAGE_ID, survey: 'nps', score };
        if (rng.chance(category === 'passive' ? 0.35 : 0.55)) {
          const list = COMMENTS[category];
          properties.comment = list[rng.int(0, list.length - 1)];
        }
        emit('survey_answered', shownAt + rng.int(4000, 60_000), properties);
      },
    };
    return self;
  }
}
