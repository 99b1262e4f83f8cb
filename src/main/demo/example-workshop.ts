/**
 * The demo workspace's finished persona workshop: what a completed session looks like, on the demo's
 * own product (Taskly, a project-management SaaS) and event catalog.
 *
 * Everything is fixed (ids, timestamps from DEMO_AS_OF), so every demo cache holds the same workshop
 * and the same bundle bytes. The thresholds were picked against the generated data so each persona is
 * a real, differently sized group: roughly 3% power reporters, 5% casual viewers, 3% team admins and a
 * quarter of the base gone quiet (tests/unit/workshops-service.test.ts checks each has members).
 */
import type { Rule } from '../../shared/segments/rule';
import type { Opportunity, Persona, StepState, Workshop } from '../../shared/workshop/model';
import { WORKSHOP_FORMAT } from '../../shared/workshop/model';
import { draftPersonaRule } from '../../shared/workshop/persona-rule';
import type { Db } from '../db/connection';
import { SegmentService } from '../segments/service';
import { WorkshopService } from '../workshops/service';
import type { DemoEventName } from './catalog';

/**
 * The demo's "data as of", DEMO_AS_OF. A literal because generate.ts imports this module: importing the
 * constant back would read it before generate.ts has set it (the test checks the two agree).
 */
const AS_OF = Date.UTC(2026, 5, 30);
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export const EXAMPLE_WORKSHOP_ID = 'demo-persona-workshop';
/** The session ran on the morning of "data as of" and was tidied up after lunch. */
const CREATED_AT = AS_OF + 9 * HOUR_MS;
const UPDATED_AT = AS_OF + 13 * HOUR_MS + 20 * MINUTE_MS;

const DANA = 'demo-dana';
const RAVI = 'demo-ravi';
const MEI = 'demo-mei';
const TOM = 'demo-tom';

const POWER = 'demo-power-reporters';
const CASUAL = 'demo-casual-viewers';
const ADMINS = 'demo-team-admins';
const QUIET = 'demo-gone-quiet';

/** Typed so a renamed demo event breaks the build here, not the workshop at run time. */
const events = (...names: DemoEventName[]): string[] => names;

type Hypothesis = Omit<Persona, 'rule' | 'ruleEdited' | 'segmentId'>;

function drafted(p: Hypothesis): Persona {
  return { ...p, rule: draftPersonaRule(p), ruleEdited: false, segmentId: null };
}

function step(minutes: number, notes: Record<string, string>): StepState {
  return { notes, timer: { elapsedMs: minutes * MINUTE_MS, runningSince: null }, rows: [], done: true };
}

const quietHypothesis: Hypothesis = {
  id: QUIET,
  name: 'Gone quiet',
  description: 'Used Taskly for real (several logins this quarter) but has not logged in for three weeks. The churn risk.',
  actions: events('login', 'notification_clicked', 'mobile_app_opened'),
  jobs: ['Get pulled back in when work that concerns them moves'],
  frequency: 'week',
  threshold: 3,
  windowDays: 90,
  include: [],
  exclude: [],
};

/**
 * Edited in the segment builder during step 3: "three logins this quarter" alone matched every regular
 * user, so the room added "and none in the last 21 days".
 */
const quietRule: Rule = {
  version: 1,
  match: 'all',
  conditions: [
    { type: 'event', event: 'login', op: '>=', count: 3, within: { days: 90 } },
    { type: 'event', event: 'login', op: '=', count: 0, within: { days: 21 } },
  ],
};

const personas: Persona[] = [
  drafted({
    id: POWER,
    name: 'Power reporters',
    description: 'Team leads who run status and workload reports every week and send them on as CSV or PDF.',
    actions: events('report_run', 'export_csv', 'report_shared', 'dashboard_created', 'automation_run'),
    jobs: ['Show leadership how the team is doing without a status meeting', 'Spot overloaded people before deadlines slip'],
    frequency: 'week',
    threshold: 4,
    windowDays: 30,
    include: [],
    exclude: [],
  }),
  drafted({
    id: CASUAL,
    name: 'Casual viewers',
    description: 'Stakeholders who follow tasks and comment, but never create work themselves.',
    actions: events('task_viewed', 'comment_added', 'dashboard_viewed', 'notification_clicked'),
    jobs: ['Know what is due and what changed', 'Answer a question on a task quickly'],
    frequency: 'week',
    threshold: 2,
    windowDays: 30,
    include: [],
    exclude: events('task_created'),
  }),
  drafted({
    id: ADMINS,
    name: 'Team admins',
    description: 'Set up the workspace: invite the team, adjust settings, connect integrations, look after billing.',
    actions: events('invite_sent', 'settings_updated', 'integration_connected', 'billing_viewed'),
    jobs: ['Get the whole team working in Taskly', 'Keep access and billing under control'],
    frequency: 'month',
    threshold: 1,
    windowDays: 90,
    include: events('settings_updated'),
    exclude: [],
  }),
  { ...quietHypothesis, rule: quietRule, ruleEdited: true, segmentId: null },
];

function opportunity(o: Omit<Opportunity, 'notes' | 'benchmark' | 'goal'> & Partial<Opportunity>): Opportunity {
  return { notes: '', benchmark: '', goal: '', ...o };
}

/**
 * Every participant keeps to the room's rule of DOTS_PER_PARTICIPANT dots (the test checks): Ravi, Mei and
 * Tom spent all three, Dana (the facilitator, the screen's first voter) kept one back, so a new user can
 * try voting at once. The two chosen tie on votes; impact ranks the digest first.
 */
const opportunities: Opportunity[] = [
  opportunity({
    id: 'demo-opp-scheduled-reports',
    title: 'Scheduled reports delivered by email and Slack',
    personaId: POWER,
    area: 'engagement',
    improvementPct: 15,
    effort: 3,
    confidence: 4,
    benchmark: 'Comparable tools: 40% of report users schedule at least one',
    goal: 'Weekly report runs +20% by Q4',
    notes: 'Mei: the export_csv → report_shared sequence shows people doing this by hand every Monday.',
    votes: { [DANA]: 1, [MEI]: 2, [TOM]: 1 },
    chosen: true,
  }),
  opportunity({
    id: 'demo-opp-winback-digest',
    title: 'Weekly “what changed on your projects” digest for people gone quiet',
    personaId: QUIET,
    area: 'engagement',
    improvementPct: 8,
    effort: 2,
    confidence: 3,
    benchmark: 'Digest emails win back 5–10% of lapsed users in similar products',
    goal: 'Cut 90-day churn of active accounts by a fifth',
    votes: { [DANA]: 1, [RAVI]: 2, [TOM]: 1 },
    chosen: true,
  }),
  opportunity({
    id: 'demo-opp-admin-checklist',
    title: 'Admin setup checklist: invites, integrations, roles',
    personaId: ADMINS,
    area: 'acquisition',
    improvementPct: 10,
    effort: 2,
    confidence: 3,
    goal: 'Workspaces with 5+ members within 14 days',
    votes: { [RAVI]: 1 },
    chosen: false,
  }),
  opportunity({
    id: 'demo-opp-viewer-quick-actions',
    title: 'Quick “done” and reply actions in notifications for viewers',
    personaId: CASUAL,
    area: 'engagement',
    improvementPct: 6,
    effort: 2,
    confidence: 2,
    votes: { [MEI]: 1 },
    chosen: false,
  }),
  opportunity({
    id: 'demo-opp-limit-upsell',
    title: 'Upsell modal when a starter account hits the project limit',
    personaId: POWER,
    area: 'monetization',
    improvementPct: 4,
    effort: 1,
    confidence: 4,
    benchmark: 'Limit-triggered upgrade prompts convert 2–5%',
    goal: 'Starter → Growth upgrades +25%',
    notes: 'Tom: usage_limit_hit fires today with no offer attached.',
    votes: { [TOM]: 1 },
    chosen: false,
  }),
];

/** The finished workshop document. */
export function exampleWorkshop(): Workshop {
  return {
    format: WORKSHOP_FORMAT,
    id: EXAMPLE_WORKSHOP_ID,
    title: 'Taskly · Persona workshop',
    account: 'Taskly product team',
    date: new Date(AS_OF).toISOString().slice(0, 10),
    template: 'personas',
    participants: [
      { id: DANA, name: 'Dana Whitfield', role: 'Head of Product (facilitator)' },
      { id: RAVI, name: 'Ravi Menon', role: 'Customer Success lead' },
      { id: MEI, name: 'Mei Tanaka', role: 'Data analyst' },
      { id: TOM, name: 'Tom Okafor', role: 'Growth PM' },
    ],
    asOf: AS_OF,
    archived: false,
    currentStep: 'priorities',
    steps: {
      brainstorm: step(32, {
        '': 'Five use cases. Reporting and planning overlap most: the same team leads do both.',
        [RAVI]: 'Admins are rarely the heaviest users; they set things up and step back.',
        [TOM]: 'Viewers are invited by creators: they are how Taskly spreads inside an account.',
      }),
      behaviors: step(28, {
        '': 'Power reporters: reports, not tasks, are the key action. Casual viewers: view but never create a task.',
        [MEI]: 'Checked the catalog: export_csv and report_shared usually follow report_run within minutes.',
      }),
      usage: step(47, {
        '': 'Four report runs in 30 days separates power reporters better than six: six left out team leads on a fortnightly rhythm.',
        [MEI]: '“Gone quiet” needed “no login in 21 days” on top of the draft, or it matched every regular user.',
        [DANA]: 'About a quarter of the base has gone quiet: bigger than we thought.',
      }),
      priorities: step(30, {
        '': 'Chosen: scheduled reports (power reporters) and the win-back digest (gone quiet). Revisit the admin checklist next quarter.',
        [TOM]: 'The limit upsell is cheap; run it as a side experiment rather than a main bet.',
      }),
    },
    useCases: [
      {
        id: 'demo-uc-reporting',
        name: 'Report on team progress',
        valueProposition: 'Status and workload reports without chasing people for updates.',
        personaIds: [POWER, ADMINS],
      },
      {
        id: 'demo-uc-planning',
        name: 'Plan and run projects',
        valueProposition: 'Tasks, timelines and files in one place, so nothing falls between tools.',
        personaIds: [POWER, QUIET],
      },
      {
        id: 'demo-uc-following',
        name: 'Follow the work I am part of',
        valueProposition: 'Know what is due and what changed, from the browser or the phone.',
        personaIds: [CASUAL, QUIET],
      },
      {
        id: 'demo-uc-setup',
        name: 'Set up the workspace for a team',
        valueProposition: 'Everyone invited, integrations connected and permissions right in an afternoon.',
        personaIds: [ADMINS],
      },
      {
        id: 'demo-uc-automation',
        name: 'Automate recurring work',
        valueProposition: 'Recurring tasks and reports run themselves.',
        personaIds: [POWER],
      },
    ],
    personas,
    opportunities,
    usage: { activationDays: 14, regularWeeks: 3, regularOf: 4 },
    createdAt: CREATED_AT,
    updatedAt: UPDATED_AT,
  };
}

/**
 * Adds the example workshop to the cache; generateDemo calls it inside its transaction, so the workshop
 * comes and goes with the rest of the demo. A workshop already under the id (imported from another
 * demo cache) is the user's and is left alone.
 */
export function insertExampleWorkshop(db: Db): void {
  if (db.prepare('SELECT 1 FROM workshops WHERE id = ?').get(EXAMPLE_WORKSHOP_ID)) return;
  // The service stamps updatedAt with its clock: a fixed clock keeps the document identical in every cache.
  const clock = (): number => UPDATED_AT;
  new WorkshopService(db, clock, new SegmentService(db, clock)).save(exampleWorkshop());
}

