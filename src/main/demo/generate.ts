/**
 * The demo workspace: a deterministic, believable project-management SaaS.
 *
 * A fixed seed and a fixed end date make every figure identical on every machine; the end date
 * becomes the cache's "data as of". The data has structure a workshop can find: power users who
 * run reports, occasional users, users who went inactive, admins doing setup work, and starter
 * accounts that hit the project limit.
 */
import type { Db } from '../db/connection';
import { createEventsRepo } from '../db/events-repo';
import { createKvRepo } from '../db/kv';
import { BatchInserter } from '../db/batch-insert';
import { PropertyKeyTracker } from '../db/property-keys';
import { DAY_MS, DailyRollup, deferIndexes } from '../db/rollup';
import { fixCacheSample } from '../db/user-sample';
import { recordKey } from '../../shared/event-spec';
import { Random } from '../../shared/random';
import { ApiError } from '../../shared/errors';
import type { DemoResult } from '../../shared/types';
import {
  actionWeights,
  ARCHETYPE_ACTIVITY,
  ARCHETYPE_WEIGHTS,
  COMPANIES,
  COUNTRIES,
  DEMO_EVENT_NAMES,
  INTEGRATIONS,
  PAGES,
  PLAN_WEIGHTS,
  REPORT_FORMATS,
  REPORT_TYPES,
  ROLE_WEIGHTS,
  STARTER_PROJECT_LIMIT,
  type Archetype,
  type DemoEventName,
  type Plan,
  type Role,
} from './catalog';
import { insertExampleMessages, MESSAGE_EVENT_NAMES, MessageEventPlanner, type MessageEventName } from './example-messages';
import { insertExampleSurveyMessages, SURVEY_DEMO_EVENT_NAMES, SurveyEventPlanner, type SurveyDemoEventName } from './example-survey';
import { insertExampleWorkshop } from './example-workshop';

export const DEMO_SEED = 20_260_630;
/** The demo's "data as of": 2026-06-30T00:00:00Z. */
export const DEMO_AS_OF = Date.UTC(2026, 5, 30);
export const DEMO_WINDOW_DAYS = 90;
export const DEMO_USERS = 50_000;

export interface DemoProgress {
  users: number;
  totalUsers: number;
  events: number;
}

export interface DemoOptions {
  users?: number;
  onProgress?: (progress: DemoProgress) => void;
  /** Checked between chunks; a cancelled generation rolls back and leaves the cache as it was. */
  isCancelled?: () => boolean;
  /** Awaited between chunks so a worker can receive a cancel request. */
  yieldBetweenChunks?: () => Promise<void>;
  now?: number;
}

/** A cumulative weight table for fast weighted picks in the hot loop. */
interface Picker {
  names: DemoEventName[];
  cumulative: Float64Array;
  total: number;
}

function makePicker(weights: Partial<Record<DemoEventName, number>>): Picker {
  const names = Object.keys(weights) as DemoEventName[];
  const cumulative = new Float64Array(names.length);
  let total = 0;
  names.forEach((name, i) => {
    total += weights[name] ?? 0;
    cumulative[i] = total;
  });
  return { names, cumulative, total };
}

function pickFrom(picker: Picker, rng: Random): DemoEventName {
  const r = rng.next() * picker.total;
  let lo = 0;
  let hi = picker.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r < (picker.cumulative[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return picker.names[lo] as DemoEventName;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function hasDemo(db: Db): boolean {
  return createKvRepo(db).get('demo_created_at') !== undefined;
}

/**
 * Fills an empty cache with the demo workspace in one transaction. When the demo is already there,
 * it changes nothing and reports the existing counts with created: false.
 */
export async function generateDemo(db: Db, options: DemoOptions = {}): Promise<DemoResult> {
  const kv = createKvRepo(db);
  const repo = createEventsRepo(db);
  if (hasDemo(db)) {
    return { users: repo.countUsers(), events: repo.countEvents(), created: false };
  }
  const existing = repo.countUsers();
  if (existing > 0) {
    throw new ApiError(
      'conflict',
      `This cache already holds ${existing.toLocaleString('en-US')} users of its own; the demo workspace needs an empty cache. Open a new cache file for it.`,
    );
  }

  const totalUsers = options.users ?? DEMO_USERS;
  const rng = new Random(DEMO_SEED);
  const windowStart = DEMO_AS_OF - DEMO_WINDOW_DAYS * DAY_MS;
  const rollup = new DailyRollup();
  const propertyKeys = new PropertyKeyTracker();
  let eventCount = 0;

  db.exec('BEGIN IMMEDIATE');
  try {
    // The demo holds every one of its users, even in an empty cache a sampled import left without records.
    fixCacheSample(db, 100);
    const restoreIndexes = deferIndexes(db, 'events');
    const nameIds = repo.ensureEventNames([...DEMO_EVENT_NAMES, ...MESSAGE_EVENT_NAMES, ...SURVEY_DEMO_EVENT_NAMES]);
    // The example messages' results: drawn from their own generators, so every other figure stays as it was.
    const messagePlanner = new MessageEventPlanner(DEMO_SEED + 1);
    const surveyPlanner = new SurveyEventPlanner(DEMO_SEED + 2);
    const insertUser = db.prepare(
      'INSERT INTO users (user_pk, id, traits, trait_times, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertEvent = new BatchInserter(db, 'INSERT INTO events', ['event_key', 'event_id', 'user_pk', 'name_id', 'ts', 'properties']);
    const pickers = new Map<string, Picker>();
    const pickerFor = (role: Role, power: boolean): Picker => {
      const key = `${role}:${power}`;
      let picker = pickers.get(key);
      if (!picker) pickers.set(key, (picker = makePicker(actionWeights(role, power))));
      return picker;
    };

    const chunk = 1000;
    for (let start = 0; start < totalUsers; start += chunk) {
      const end = Math.min(totalUsers, start + chunk);
      for (let i = start; i < end; i++) {
        eventCount += generateUser(i);
      }
      options.onProgress?.({ users: end, totalUsers, events: eventCount });
      if (options.yieldBetweenChunks) await options.yieldBetweenChunks();
      if (options.isCancelled?.()) throw new ApiError('cancelled', 'Demo generation was cancelled; nothing was written.');
    }

    insertEvent.flush();
    rollup.flush(db);
    propertyKeys.flush(db, (name) => nameIds.get(name) as number);
    restoreIndexes();
    // The finished example workshop rides in the same transaction: a cancelled demo leaves no workshop behind.
    insertExampleWorkshop(db);
    insertExampleMessages(db);
    insertExampleSurveyMessages(db);
    kv.set('data_as_of', String(DEMO_AS_OF));
    kv.set('data_as_of_source', 'demo');
    kv.set('demo_created_at', String(options.now ?? Date.now()));
    db.exec('COMMIT');
    // Fold the freshly written WAL into the database file so the cache's size reads true.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { users: totalUsers, events: eventCount, created: true };

    /** Writes one user and their records; returns how many events (not identify calls) it wrote. */
    function generateUser(index: number): number {
      const userPk = index + 1;
      const userId = `u_${String(userPk).padStart(5, '0')}`;
      const plan = rng.weighted<Plan>(PLAN_WEIGHTS);
      const role = rng.weighted<Role>(ROLE_WEIGHTS);
      const recent = rng.chance(0.35);
      const signupDaysAgo = recent ? rng.int(0, DEMO_WINDOW_DAYS - 1) : rng.int(DEMO_WINDOW_DAYS, 540);
      const signupTs = DEMO_AS_OF - signupDaysAgo * DAY_MS - rng.int(1, DAY_MS - 1);
      let archetype = rng.weighted<Archetype>(ARCHETYPE_WEIGHTS);
      // Visitors are people who signed up and never came back: only recent signups can still be one.
      if (archetype === 'visitor' && !recent) archetype = 'churned';
      const traits: Record<string, unknown> = {
        plan,
        role,
        company: rng.pick(COMPANIES),
        country: rng.pick(COUNTRIES),
        signup_date: isoDate(signupTs),
      };

      let written = 0;
      const firstSeen = signupTs;
      let lastSeen = signupTs;
      let seq = 0;
      // Each planner's events get their own id sequence ("m" the upsell and NPS, "s" the survey and banner).
      const messageEmitter = (prefix: string) => {
        let messageSeq = 0;
        return (name: MessageEventName | SurveyDemoEventName | DemoEventName, ts: number, properties: Record<string, unknown>): void => {
          if (ts >= DEMO_AS_OF) return;
          const eventId = `demo-${userPk}-${prefix}${messageSeq++}`;
          const nameId = nameIds.get(name) as number;
          insertEvent.add(recordKey(eventId), eventId, userPk, nameId, ts, JSON.stringify(properties));
          rollup.add(nameId, ts);
          propertyKeys.add(name, properties);
          if (ts > lastSeen) lastSeen = ts;
          written += 1;
        };
      };
      const messages = messagePlanner.user({ userId, role, plan, power: archetype === 'power' }, messageEmitter('m'));
      const surveys = surveyPlanner.user({ plan, power: archetype === 'power', country: traits.country as string }, messageEmitter('s'));
      let limitHits = 0;
      const emit = (name: DemoEventName, ts: number, properties: Record<string, unknown> | null): void => {
        // Follow-up actions add time; nothing may land at or after "data as of".
        if (ts >= DEMO_AS_OF) return;
        const eventId = `demo-${userPk}-${seq++}`;
        const nameId = nameIds.get(name) as number;
        insertEvent.add(recordKey(eventId), eventId, userPk, nameId, ts, properties ? JSON.stringify(properties) : null);
        rollup.add(nameId, ts);
        propertyKeys.add(name, properties);
        if (ts > lastSeen) lastSeen = ts;
        written += 1;
      };

      // The identify call that created the user: a record at signup, holding the traits.
      const identifyId = `demo-${userPk}-identify`;
      insertEvent.add(recordKey(identifyId), identifyId, userPk, 0, signupTs, JSON.stringify(traits));
      rollup.add(0, signupTs);

      let projects = plan === 'starter' ? rng.int(0, STARTER_PROJECT_LIMIT - 1) : 0;
      let currentPlan: Plan = plan;
      let upgradedAt: number | null = null;
      const power = archetype === 'power';
      const picker = pickerFor(role, power);
      const activity = ARCHETYPE_ACTIVITY[archetype];

      if (signupTs >= windowStart) {
        let t = signupTs;
        emit('signup', t, { source: rng.pick(['organic', 'invite', 'ads', 'partner']) });
        if (role === 'consumer' && rng.chance(0.5)) emit('invite_accepted', (t += rng.int(1000, 60_000)), null);
        const steps = rng.int(1, 4);
        for (let s = 1; s <= steps; s++) emit('onboarding_step_completed', (t += rng.int(5000, 120_000)), { step: s });
      }

      const firstDay = Math.max(Math.ceil((signupTs - windowStart) / DAY_MS), 0);
      const churnDay = archetype === 'churned' ? rng.int(5, 55) : DEMO_WINDOW_DAYS;
      for (let day = Math.max(firstDay, 0); day < Math.min(DEMO_WINDOW_DAYS, churnDay); day++) {
        if (!rng.chance(activity.dailyChance)) continue;
        let t = windowStart + day * DAY_MS + rng.int(6, 20) * 3_600_000 + rng.int(0, 3_599_999);
        if (t <= signupTs) continue;
        emit('login', t, null);
        if (t < DEMO_AS_OF) {
          messages.login(t, limitHits);
          surveys.login(t);
        }
        const actions = rng.int(activity.minActions, activity.maxActions);
        for (let a = 0; a < actions; a++) {
          t += rng.int(10_000, 900_000);
          if (t >= DEMO_AS_OF) break;
          let name = pickFrom(picker, rng);
          if (name === 'project_created' && currentPlan === 'starter' && projects >= STARTER_PROJECT_LIMIT) {
            emit('usage_limit_hit', t, { limit: 'projects', plan: 'starter', used: projects });
            limitHits += 1;
            const modalShown = t < DEMO_AS_OF && messages.limitHit(t);
            const upgrading = rng.chance(messages.upgradeChance());
            if (modalShown) messages.upgradeChoice(t, upgrading);
            if (upgrading) {
              emit('upgrade_clicked', (t += rng.int(2000, 30_000)), { source: 'limit_modal' });
              if (rng.chance(0.45)) {
                emit('plan_upgraded', (t += rng.int(30_000, 300_000)), { from: 'starter', to: 'growth' });
                currentPlan = 'growth';
                upgradedAt = t;
              }
            }
            continue;
          }
          if (name === 'project_created') projects += 1;
          if (name === 'billing_viewed' && currentPlan !== 'enterprise' && rng.chance(0.12)) {
            emit('billing_viewed', t, null);
            name = 'upgrade_clicked';
            t += rng.int(2000, 30_000);
          }
          emit(name, t, propertiesFor(name));
        }
      }

      // The upsell's extra project-limit hits (example-lift.ts): their own generator, after the rest is drawn.
      messages.finish(currentPlan === 'starter', messageEmitter('l'));
      if (upgradedAt !== null) {
        traits.plan = currentPlan;
      }
      const traitTimes = Object.fromEntries(Object.keys(traits).map((k) => [k, k === 'plan' && upgradedAt !== null ? upgradedAt : signupTs]));
      insertUser.run(userPk, userId, JSON.stringify(traits), JSON.stringify(traitTimes), firstSeen, lastSeen);
      return written;
    }

    function propertiesFor(name: DemoEventName): Record<string, unknown> | null {
      switch (name) {
        case 'report_run':
          return { format: rng.pick(REPORT_FORMATS), report_type: rng.pick(REPORT_TYPES) };
        case 'page_viewed':
          return { url: `https://app.taskly.example${rng.pick(PAGES)}` };
        case 'integration_connected':
        case 'integration_disconnected':
          return { integration: rng.pick(INTEGRATIONS) };
        case 'export_csv':
          return { rows: rng.int(10, 5000) };
        case 'task_created':
          return { priority: rng.pick(['low', 'medium', 'high']) };
        case 'upgrade_clicked':
          return { source: 'billing_page' };
        case 'invite_sent':
          return { invitee_role: rng.pick(['creator', 'consumer', 'consumer']) };
        default:
          return null;
      }
    }
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
