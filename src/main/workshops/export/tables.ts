/**
 * The worksheets as plain tables of text, one place for every format: the CSV files are these tables,
 * and the Markdown and the PDF print the same rows, so the three never disagree about what a worksheet holds.
 */
import { describeRule } from '../../../shared/segments/describe';
import { AREA_LABELS, totalVotes, type Workshop } from '../../../shared/workshop/model';
import { rankOpportunities } from '../../../shared/workshop/ranking';
import { templateOf, type StepDefinition } from '../../../shared/workshop/templates';
import type { FrequentTarget, PersonaUsage, WorkshopUsage } from '../../../shared/workshop/usage';

export interface ExportTable {
  /** The file-name suffix of its CSV ('' for a step's only table). */
  name: string;
  title: string;
  columns: string[];
  rows: string[][];
}


/** One decimal, without a trailing ".0": 12.5, 30. */
export function decimal(n: number): string {
  return String(Math.round(n * 10) / 10);
}

export function percent(share: number): string {
  return decimal(share * 100);
}

export function participantName(w: Workshop, id: string): string {
  if (id === '') return 'Room';
  return w.participants.find((p) => p.id === id)?.name ?? id;
}

export function personaName(w: Workshop, id: string): string {
  if (id === '') return '';
  return w.personas.find((p) => p.id === id)?.name ?? id;
}

/** A step's notes that say something: the room's first, then each participant in the list's order. */
export function notesOf(w: Workshop, stepKey: string): { participant: string; text: string }[] {
  const notes = w.steps[stepKey]?.notes ?? {};
  const order = ['', ...w.participants.map((p) => p.id)];
  // Notes from a participant removed since still count: they come last, in key order.
  const keys = [...order.filter((k) => k in notes), ...Object.keys(notes).filter((k) => !order.includes(k)).sort()];
  return keys.filter((k) => (notes[k] ?? '').trim() !== '').map((k) => ({ participant: participantName(w, k), text: notes[k] ?? '' }));
}


const list = (items: readonly string[]): string => items.join('; ');
const orBlank = (n: number | null): string => (n === null ? '' : String(n));

function useCaseTables(w: Workshop): ExportTable[] {
  return [
    {
      name: 'use-cases',
      title: 'Use cases',
      columns: ['Use case', 'Value proposition', 'Personas'],
      rows: w.useCases.map((u) => [u.name, u.valueProposition, list(u.personaIds.map((id) => personaName(w, id)))]),
    },
    {
      name: 'overlap',
      title: 'Personas × use cases',
      columns: ['Persona', ...w.useCases.map((u) => u.name)],
      rows: w.personas.map((p) => [p.name, ...w.useCases.map((u) => (u.personaIds.includes(p.id) ? 'x' : ''))]),
    },
  ];
}

function behaviorTables(w: Workshop): ExportTable[] {
  return [
    {
      name: 'personas',
      title: 'Personas and their behaviors',
      columns: ['Persona', 'Description', 'Actions', 'Jobs to be done', 'Frequency', 'Threshold', 'Window (days)', 'Also does', 'Never does', 'Rule'],
      rows: w.personas.map((p) => [
        p.name,
        p.description,
        list(p.actions),
        list(p.jobs),
        p.frequency,
        String(p.threshold),
        String(p.windowDays),
        list(p.include),
        list(p.exclude),
        describeRule(p.rule),
      ]),
    },
  ];
}

/** "at least 5 a week in 3 of the last 4 weeks" */
export function frequentPhrase(t: FrequentTarget): string {
  return `at least ${t.perWeek} a week in ${t.weeks} of the last ${t.of} weeks`;
}

const FIGURE_COLUMNS = [
  'Key action',
  'Threshold',
  'Window (days)',
  'Users',
  '% of base',
  'Activated',
  'Activation %',
  'Regular',
  'Regular %',
  'Median active days/week',
  'Casual',
  'Frequent',
  'Frequent means',
  'Problem',
] as const;

function figureCells(p: PersonaUsage): string[] {
  return [
    p.keyAction ?? '',
    String(p.threshold),
    String(p.windowDays),
    String(p.users),
    percent(p.shareOfBase),
    String(p.activated),
    percent(p.activationRate),
    String(p.regular),
    percent(p.regularShare),
    decimal(p.medianActiveDaysPerWeek),
    String(p.casual),
    String(p.frequent),
    frequentPhrase(p.frequentTarget),
    p.error ?? '',
  ];
}

/** The step-3 figures turned sideways (a row per figure, a column per persona): how the PDF prints them. */
export function figuresByPersona(usage: WorkshopUsage): ExportTable {
  const cells = usage.personas.map(figureCells);
  return {
    name: 'figures',
    title: 'Usage per persona',
    columns: ['Figure', ...usage.personas.map((p) => p.name)],
    rows: FIGURE_COLUMNS.map((label, k) => [label, ...cells.map((c) => c[k] ?? '')]).filter(
      // A problem row only when some persona has one.
      (row) => row[0] !== 'Problem' || row.slice(1).some((c) => c !== ''),
    ),
  };
}

function usageTables(usage: WorkshopUsage | null): ExportTable[] {
  const personas = usage?.personas ?? [];
  return [
    {
      name: 'figures',
      title: 'Usage per persona',
      columns: ['Persona', ...FIGURE_COLUMNS],
      rows: personas.map((p) => [p.name, ...figureCells(p)]),
    },
    {
      name: 'actions',
      title: 'How often members take each action',
      columns: ['Persona', 'Action', 'Users', 'Median times per active week'],
      rows: personas.flatMap((p) => p.actions.map((a) => [p.name, a.event, String(a.users), decimal(a.medianPerActiveWeek)])),
    },
    {
      name: 'histogram',
      title: 'Key-action counts per user',
      columns: ['Persona', 'Key action', 'From', 'To (exclusive)', 'Users'],
      rows: personas.flatMap((p) => p.histogram.map((b) => [p.name, p.keyAction ?? '', String(b.from), orBlank(b.to), String(b.users)])),
    },
    {
      name: 'overlap',
      title: 'Overlap between personas (users in both)',
      columns: ['Persona', ...personas.map((p) => p.name)],
      rows: personas.map((p, i) => [p.name, ...personas.map((_, j) => String(usage?.overlap[i]?.[j] ?? 0))]),
    },
  ];
}

function priorityTables(w: Workshop, usage: WorkshopUsage | null): ExportTable[] {
  // Worksheet order, as the facilitator entered them; the rank column carries the vote.
  const ranked = rankOpportunities(w, usage);
  const byId = new Map(ranked.map((r) => [r.opportunity.id, r]));
  return [
    {
      name: 'opportunities',
      title: 'Opportunities',
      columns: [
        'Opportunity',
        'Persona',
        'Area',
        'Improvement %',
        'Group size',
        'Impact (users)',
        'Effort (1-5)',
        'Confidence (1-5)',
        'Benchmark',
        'Goal',
        'Votes',
        'Chosen',
        'Rank',
        'Notes',
      ],
      rows: w.opportunities.map((o) => {
        const r = byId.get(o.id);
        return [
          o.title,
          personaName(w, o.personaId),
          AREA_LABELS[o.area],
          decimal(o.improvementPct),
          orBlank(r?.groupSize ?? null),
          orBlank(r?.impact ?? null),
          String(o.effort),
          String(o.confidence),
          o.benchmark,
          o.goal,
          String(totalVotes(o)),
          o.chosen ? 'yes' : 'no',
          String(r?.rank ?? ''),
          o.notes,
        ];
      }),
    },
  ];
}

function genericTable(w: Workshop, step: StepDefinition): ExportTable[] {
  const columns = step.columns ?? [];
  return [
    {
      name: '',
      title: step.title,
      columns: columns.map((c) => c.label),
      rows: (w.steps[step.key]?.rows ?? []).map((r) => columns.map((c) => r.cells[c.key] ?? '')),
    },
  ];
}

/** The tables of one step's worksheet. */
export function stepTables(w: Workshop, step: StepDefinition, usage: WorkshopUsage | null): ExportTable[] {
  switch (step.worksheet) {
    case 'use_cases':
      return useCaseTables(w);
    case 'behaviors':
      return behaviorTables(w);
    case 'usage':
      return usageTables(usage);
    case 'priorities':
      return priorityTables(w, usage);
    case 'table':
      return genericTable(w, step);
    default: {
      const never: never = step.worksheet;
      throw new Error(`Unknown worksheet kind: ${String(never)}`);
    }
  }
}

/** Tables that belong to the workshop rather than a step. */
export function participantsTable(w: Workshop): ExportTable {
  return { name: 'participants', title: 'Participants', columns: ['Name', 'Role'], rows: w.participants.map((p) => [p.name, p.role]) };
}

export function notesTable(w: Workshop): ExportTable {
  const rows: string[][] = [];
  for (const step of templateOf(w.template).steps) {
    for (const n of notesOf(w, step.key)) rows.push([step.title, n.participant, n.text]);
  }
  return { name: 'notes', title: 'Notes', columns: ['Step', 'Participant', 'Text'], rows };
}
