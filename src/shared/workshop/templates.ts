/**
 * The two workshop templates and their steps. Both run on the same worksheet machinery: every step has
 * discussion prompts, a timebox, free notes per participant, and one worksheet kind that says which
 * structured fields it holds (see model.ts).
 *
 * Prompts come from the reference articles (../shared/reference/seeds/000 and 002, DESIGN.md §6).
 */

export const TEMPLATE_IDS = ['personas', 'segmentation'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

/**
 * What a step's worksheet holds:
 * - use_cases: the step-1 table of use cases × value proposition × personas, and its overlap matrix;
 * - behaviors: the step-2 mapping of each persona to actions, jobs, frequency, inclusion/exclusion;
 * - usage: the step-3 figures computed from the cache;
 * - priorities: the step-4 opportunities with impact, votes and the chosen ones;
 * - table: a generic table whose columns the step declares (the segmentation session's steps).
 */
export type WorksheetKind = 'use_cases' | 'behaviors' | 'usage' | 'priorities' | 'table';

export interface TableColumn {
  key: string;
  label: string;
}

export interface StepDefinition {
  /** Stable key: the key of the step's state in a workshop, and of its CSV file. */
  key: string;
  title: string;
  /** Phase heading, for templates with phases. */
  phase?: string;
  timeboxMinutes: number;
  prompts: readonly string[];
  worksheet: WorksheetKind;
  /** For 'table' worksheets: the columns of a row. */
  columns?: readonly TableColumn[];
}

export interface TemplateDefinition {
  id: TemplateId;
  title: string;
  summary: string;
  steps: readonly StepDefinition[];
}

const personas: TemplateDefinition = {
  id: 'personas',
  title: 'Behavioral persona workshop',
  summary: 'Four steps from brainstormed personas to data-backed segments and the investments worth making.',
  steps: [
    {
      key: 'brainstorm',
      title: 'Brainstorm key behavioral personas',
      timeboxMinutes: 30,
      worksheet: 'use_cases',
      prompts: [
        'What are the main use cases?',
        'What are the main value propositions per use case? How do they get value?',
        'Which personas or product roles use which ones?',
        'Do some of these have similar use cases and value propositions? Where is the overlap?',
      ],
    },
    {
      key: 'behaviors',
      title: 'Map behaviors to persona groups',
      timeboxMinutes: 30,
      worksheet: 'behaviors',
      prompts: [
        'Which actions do they need to take to get to value?',
        'What are the Jobs To Be Done (JTBD)?',
        'Are they distinguished by the actions they take, or by how often they take them?',
        'Are there groups expected to do action X but not action Y?',
      ],
    },
    {
      key: 'usage',
      title: 'Map usage patterns with data',
      timeboxMinutes: 45,
      worksheet: 'usage',
      prompts: [
        'How many users do we have per group?',
        'What is their overall percentage in our install base?',
        'How many of them get to value the first time? (Activation)',
        'What is the frequency of usage per use case? Per JTBD?',
        'How many of them get to value on a regular basis?',
        'What is their engagement frequency?',
        'Can we see patterns of casual vs. frequent users? Can we find the reasons?',
      ],
    },
    {
      key: 'priorities',
      title: 'Prioritize actions and investments',
      timeboxMinutes: 30,
      worksheet: 'priorities',
      prompts: [
        'How do we perform compared to industry benchmarks?',
        'How do we perform compared to the company goals and board commitments?',
        'Where is the biggest opportunity to drive up Acquisition, Engagement & Adoption or Monetization?',
        'Will addressing a certain friction point yield the desired results? Can we measure it? How? What would it take?',
        'How does each option marry our upcoming go-to-market efforts and plans?',
      ],
    },
  ],
};

const text = (key: string, label: string): TableColumn => ({ key, label });

const segmentation: TemplateDefinition = {
  id: 'segmentation',
  title: 'Segmentation working session',
  summary: 'Phase 1 finds segments, baselines them and follows trends; phase 2 discovers new patterns and picks what to test.',
  steps: [
    {
      key: 'milestones',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'Define customer journey “success” milestones',
      timeboxMinutes: 20,
      worksheet: 'table',
      columns: [text('milestone', 'Milestone'), text('event', 'Event(s)'), text('notes', 'Notes')],
      prompts: [
        'Which event, or set of events, counts as completing the task the product or feature is designed for?',
        'Examples: submitting a signup form, setting up the product, completing a purchase, inviting a teammate.',
      ],
    },
    {
      key: 'segments',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'List the primary segments that apply to your business',
      timeboxMinutes: 20,
      worksheet: 'table',
      columns: [text('segment', 'Segment'), text('kind', 'Kind (acquisition, binary, frequency…)'), text('definition', 'Definition')],
      prompts: [
        'Which acquisition segments (demographic, firmographic, source) matter to marketing and go-to-market?',
        'Which behavioral segments: binary (did or did not complete a step) or frequency (how often)?',
      ],
    },
    {
      key: 'hypotheses',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'Note hypotheses about your users',
      timeboxMinutes: 15,
      worksheet: 'table',
      columns: [text('hypothesis', 'Hypothesis'), text('characteristic', 'Characteristic of successful users'), text('owner', 'Owner')],
      prompts: ['What are the top 3 characteristics of successful users: demographics, roles, or behavior?'],
    },
    {
      key: 'test',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'Test your hypotheses',
      timeboxMinutes: 45,
      worksheet: 'table',
      columns: [text('hypothesis', 'Hypothesis'), text('evidence', 'What the data shows'), text('verdict', 'True or false')],
      prompts: ['Segment the users: which hypotheses hold and which do not?'],
    },
    {
      key: 'learnings',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'Discuss your learnings',
      timeboxMinutes: 15,
      worksheet: 'table',
      columns: [text('learning', 'Learning'), text('expected', 'Met expectations?')],
      prompts: ['Go around the room: what met your expectations? What did not?'],
    },
    {
      key: 'dashboard',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'Create your dashboard for easy monitoring',
      timeboxMinutes: 15,
      worksheet: 'table',
      columns: [text('chart', 'Chart'), text('segments', 'Broken down by'), text('cadence', 'Check-in cadence')],
      prompts: ['Which success rates, for which journey areas and segments, over time? Daily, weekly or monthly?'],
    },
    {
      key: 'trends',
      phase: 'Phase 1: Identify segments, baseline performance, follow trends',
      title: 'Follow trends',
      timeboxMinutes: 10,
      worksheet: 'table',
      columns: [text('segment', 'Segment'), text('trend', 'Trend'), text('attention', 'Needs attention because')],
      prompts: ['Do the segments perform the way you expected? Which groups need attention?'],
    },
    {
      key: 'explore',
      phase: 'Phase 2: Discover and analyze new patterns',
      title: 'Start exploring',
      timeboxMinutes: 20,
      worksheet: 'table',
      columns: [text('characteristic', 'Characteristic to investigate'), text('kind', 'Kind'), text('source', 'Data to look at')],
      prompts: [
        'Circle potential characteristics of the successful events: demographic, firmographic, behavioral, or other.',
        'Look at qualitative and quantitative data alike.',
      ],
    },
    {
      key: 'scoop',
      phase: 'Phase 2: Discover and analyze new patterns',
      title: '“Scoop your neighbor”',
      timeboxMinutes: 20,
      worksheet: 'table',
      columns: [text('finding', 'Finding'), text('learning', 'Learning'), text('test', 'Potential test')],
      prompts: [
        'What do successful users have in common? And unsuccessful ones?',
        'Deduce similar ideas and organize them into learnings and potential tests.',
      ],
    },
    {
      key: 'prioritize',
      phase: 'Phase 2: Discover and analyze new patterns',
      title: 'Prioritize next steps',
      timeboxMinutes: 30,
      worksheet: 'priorities',
      prompts: [
        'Which group of users is the experiment targeting? (casual, core, power, free, paid…)',
        'Is it going to degrade some users’ experience? How? How much? For how long?',
        'What is the size of the test group?',
        'Which usage or monetization metrics do we intend to move, and by how much?',
        'Would multiplying forecast improvement by the size of the group yield enough business impact?',
        'How would this serve our short- and long-term business goals?',
        'Would it tap into additional strategies the company needs?',
        'How quick and easy is this to test? Is there enough traffic or install base to learn in reasonable time?',
        'What does the opportunity cost? (alternative experiments we won’t be able to run)',
      ],
    },
  ],
};

export const TEMPLATES: Readonly<Record<TemplateId, TemplateDefinition>> = { personas, segmentation };

export function templateOf(id: TemplateId): TemplateDefinition {
  return TEMPLATES[id];
}
