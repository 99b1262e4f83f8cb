/**
 * The workshop document: everything a facilitator records, as one JSON value validated with zod.
 * The cache stores it whole (autosave writes the document), the bundle (.guidepost) carries it, and
 * the exports read it. Figures computed from the cache (step 3) are not stored: they are recomputed
 * as of the workshop's `asOf`.
 */
import { z } from 'zod';
import type { Rule } from '../segments/rule';
import { TEMPLATE_IDS } from './templates';

/** Ids of workshops and of everything inside one (participants, personas, rows): also the contract's. */
export const workshopIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ and -');
const id = workshopIdSchema;
const shortText = z.string().max(500);
const longText = z.string().max(20_000);
const epochMs = z.number().int().min(0).max(8.64e15);

export const participantSchema = z.object({ id, name: z.string().min(1, 'give the participant a name').max(200), role: shortText }).strict();

export const timerSchema = z
  .object({
    /** Time run before the current start (ms). */
    elapsedMs: z.number().int().min(0).max(8.64e7),
    /** When the timer was started, or null when paused. */
    runningSince: epochMs.nullable(),
  })
  .strict();

/** A row of a generic 'table' worksheet: column key → text. */
export const tableRowSchema = z.object({ id, cells: z.record(z.string().max(64), z.string().max(5_000)) }).strict();

export const stepStateSchema = z
  .object({
    /** Free notes per participant id; '' is the shared notes of the room. */
    notes: z.record(z.string().max(64), longText),
    timer: timerSchema,
    /** Rows of a 'table' worksheet; empty for the other kinds. */
    rows: z.array(tableRowSchema).max(500),
    done: z.boolean(),
  })
  .strict();

export const useCaseSchema = z
  .object({ id, name: shortText, valueProposition: z.string().max(2_000), personaIds: z.array(id).max(50) })
  .strict();

export const FREQUENCIES = ['day', 'week', 'month'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const personaSchema = z
  .object({
    id,
    name: z.string().min(1, 'give the persona a name').max(200),
    description: z.string().max(2_000),
    /** Event names that lead to value, from the event catalog. The first is the key action. */
    actions: z.array(z.string().min(1).max(200)).max(20),
    jobs: z.array(z.string().max(500)).max(20),
    /** How often the persona is expected to take the key action. */
    frequency: z.enum(FREQUENCIES),
    /** Key-action count that makes a member, within `windowDays` (the step-3 threshold). */
    threshold: z.number().int().min(0).max(1_000_000),
    windowDays: z.number().int().min(1).max(3650),
    /** "Does X but not Y": events a member must also do, and events a member never does in the window. */
    include: z.array(z.string().min(1).max(200)).max(20),
    exclude: z.array(z.string().min(1).max(200)).max(20),
    /**
     * The persona's segment rule (the segment model of docs/SEGMENTS.md). Drafted from the fields above
     * until someone edits it in the segment builder (`ruleEdited`), after which the fields no longer rewrite it.
     */
    rule: z.unknown(),
    ruleEdited: z.boolean(),
    /** The saved segment this persona is linked to, if any: the two are kept in step. */
    segmentId: z.string().max(100).nullable(),
  })
  .strict();

export const AREAS = ['acquisition', 'engagement', 'monetization'] as const;
export type Area = (typeof AREAS)[number];
export const AREA_LABELS: Readonly<Record<Area, string>> = {
  acquisition: 'Acquisition',
  engagement: 'Engagement & adoption',
  monetization: 'Monetization',
};

export const opportunitySchema = z
  .object({
    id,
    title: z.string().max(500),
    /** The persona it serves ('' for none yet). */
    personaId: z.string().max(64),
    area: z.enum(AREAS),
    /** Forecast improvement, in percent of the group. */
    improvementPct: z.number().min(0).max(1_000),
    /** 1 (small) to 5 (large). */
    effort: z.number().int().min(1).max(5),
    /** 1 (a guess) to 5 (sure). */
    confidence: z.number().int().min(1).max(5),
    benchmark: shortText,
    goal: shortText,
    notes: z.string().max(5_000),
    /** Dots per participant id. */
    votes: z.record(z.string().max(64), z.number().int().min(0).max(100)),
    chosen: z.boolean(),
    /** Closing the loop (issue 19): the message that acts on it and the event that says it worked. */
    messageId: z.string().max(128).optional(),
    goalEvent: z.string().max(200).optional(),
  })
  .strict();

/** Step-3 settings: what "activated" and "regular" mean. */
export const usageSettingsSchema = z
  .object({
    /** Activation: the key action within N days of first seen. */
    activationDays: z.number().int().min(1).max(365),
    /** Regular: active (key action) in k of the last n weeks. */
    regularWeeks: z.number().int().min(1).max(52),
    regularOf: z.number().int().min(1).max(52),
  })
  .strict()
  .refine((s) => s.regularWeeks <= s.regularOf, { message: 'k cannot exceed n in “active in k of the last n weeks”', path: ['regularWeeks'] });

export const WORKSHOP_FORMAT = 1;

export const workshopSchema = z
  .object({
    format: z.literal(WORKSHOP_FORMAT),
    id,
    title: z.string().min(1, 'give the workshop a title').max(200),
    /** The customer account or team it is run with. */
    account: z.string().max(200),
    /** The day it is held, YYYY-MM-DD. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the date is YYYY-MM-DD'),
    template: z.enum(TEMPLATE_IDS),
    participants: z.array(participantSchema).max(100),
    /** The instant step 3 is computed as of; null follows the cache's "data as of". */
    asOf: epochMs.nullable(),
    archived: z.boolean(),
    /** The step shown when the workshop opens. */
    currentStep: z.string().max(64),
    steps: z.record(z.string().max(64), stepStateSchema),
    useCases: z.array(useCaseSchema).max(200),
    personas: z.array(personaSchema).max(20),
    opportunities: z.array(opportunitySchema).max(200),
    usage: usageSettingsSchema,
    createdAt: epochMs,
    updatedAt: epochMs,
  })
  .strict();

export type Participant = z.infer<typeof participantSchema>;
export type StepState = z.infer<typeof stepStateSchema>;
export type TableRow = z.infer<typeof tableRowSchema>;
export type UseCase = z.infer<typeof useCaseSchema>;
export type Persona = Omit<z.infer<typeof personaSchema>, 'rule'> & { rule: Rule };
export type Opportunity = z.infer<typeof opportunitySchema>;
export type UsageSettings = z.infer<typeof usageSettingsSchema>;
export type Workshop = Omit<z.infer<typeof workshopSchema>, 'personas'> & { personas: Persona[] };

export interface WorkshopSummary {
  id: string;
  title: string;
  account: string;
  date: string;
  template: Workshop['template'];
  participants: number;
  personas: number;
  archived: boolean;
  updatedAt: number;
}

/** Impact = forecast improvement × group size (users), as the article defines it. */
export function impactOf(improvementPct: number, groupSize: number): number {
  return Math.round((improvementPct / 100) * groupSize);
}

export function totalVotes(o: Opportunity): number {
  let sum = 0;
  for (const v of Object.values(o.votes)) sum += v;
  return sum;
}

/**
 * "Since the workshop" (issue 19): each chosen opportunity, the message linked to it and how far it got,
 * as of the cache's data, with the lift in words (null when the message has no goal).
 */
export interface SinceTheWorkshop {
  asOf: number;
  rows: {
    opportunityId: string;
    title: string;
    goalEvent: string | null;
    /** Null: no message linked. */
    message: { id: string; name: string | null; status: string | null; reach: number } | null;
    /** The lift in words (issue 19 item 3): "lift on “upgraded” +2.1 points (95% CI 0.8 to 3.4), 1,204 vs 301 users", or why not yet; null: no goal. */
    lift: string | null;
  }[];
}
