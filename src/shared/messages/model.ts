/**
 * A message as the product manager authors it in the companion: content (upsell modal or NPS
 * survey), targeting, trigger, frequency, schedule, rollout, priority and environment. Validated with
 * zod; every error names the field and says what to do. Publishing turns it into the delivery
 * server's publish body (src/delivery/schemas.ts publishSchema) with the target's rule inlined.
 */
import { z } from 'zod';
import { pagePatternWarning } from '../page-url';
import { LOCALE_PATTERN } from './locale';
import { surveyContentSchema, type SurveyQuestionType } from './survey';

/**
 * The kinds of message. modal, nps and survey block the page (at most one per decide); a banner sits at
 * the top or bottom of the page and a slideout in a corner, neither blocking: placement.ts.
 */
export const MESSAGE_KINDS = ['modal', 'nps', 'survey', 'banner', 'slideout'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const ENVIRONMENTS = ['staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Shown in the list: draft until first published; archived is local only. */
export const MESSAGE_STATUSES = ['draft', 'scheduled', 'live', 'paused', 'ended', 'archived'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The delivery server's message ids: a URL path segment without escaping. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** http(s) only: `javascript:` and friends are refused where they are typed, not just where they render. */
export const httpUrl = z
  .string()
  .trim()
  .max(2048, 'is longer than 2048 characters')
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL, such as https://example.com/upgrade');

const label = (what: string, max = 80) => z.string().trim().min(1, `give the ${what}`).max(max, `keep the ${what} under ${max} characters`);

/** A call to action: a URL to open or a named product action the host page handles. */
export const ctaSchema = z
  .object({
    label: label('call to action a label', 60),
    /** Either a URL to open or a named product action the host page handles. */
    url: httpUrl.optional(),
    action: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, 'a product action is a name like open_billing')
      .optional(),
    newTab: z.boolean().optional(),
  })
  .strict()
  .refine((cta) => (cta.url === undefined) !== (cta.action === undefined), 'give the call to action either a URL or a product action');

const modalFields = {
  title: label('title', 120),
  /** The markdown subset the SDK renders (src/sdk/markdown.ts). */
  body: z.string().max(4000, 'keep the body under 4000 characters'),
  imageUrl: httpUrl.optional(),
  imageAlt: z.string().max(200).optional(),
  cta: ctaSchema,
  dismissLabel: label('dismiss button a label', 60),
};

export const modalContentSchema = z.object(modalFields).strict();

export const SLIDEOUT_CORNERS = ['bottom-right', 'bottom-left'] as const;
/** A slideout: the modal's content in a corner card that does not block the page. */
export const slideoutContentSchema = z.object({ ...modalFields, corner: z.enum(SLIDEOUT_CORNERS) }).strict();

export const BANNER_POSITIONS = ['top', 'bottom'] as const;
/** A banner: a line of text (markdown subset) at the top or bottom of the page, optionally a call to action. */
export const bannerContentSchema = z
  .object({
    text: label('banner text', 1000),
    position: z.enum(BANNER_POSITIONS),
    cta: ctaSchema.optional(),
    dismissLabel: label('dismiss button a label', 60),
  })
  .strict();

export const npsContentSchema = z
  .object({
    question: label('question', 300),
    lowLabel: label('label for 0', 60),
    highLabel: label('label for 10', 60),
    followUp: z
      .object({ promoter: z.string().max(300), passive: z.string().max(300), detractor: z.string().max(300) })
      .strict(),
    thankYou: label('thank-you text', 300),
  })
  .strict();

export type ModalContent = z.infer<typeof modalContentSchema>;
export type NpsContent = z.infer<typeof npsContentSchema>;
export type SlideoutContent = z.infer<typeof slideoutContentSchema>;
export type BannerContent = z.infer<typeof bannerContentSchema>;
export type { SurveyContent, SurveyQuestion } from './survey';

/**
 * A message's goal (issue 19): an event, with optional property filters shaped as a rule's event
 * condition's `where`, that a user performs within `withinDays` of first becoming eligible.
 */
export const goalSchema = z
  .object({
    event: z.string().trim().min(1, 'name the goal event').max(200),
    where: z.array(z.unknown()).max(20).optional(),
    withinDays: z.number().int('a whole number of days').min(1, 'at least 1 day').max(365, 'at most 365 days'),
  })
  .strict();
export type MessageGoal = z.infer<typeof goalSchema>;

/** A locale's translations: text path → text (locale.ts). */
const translationTexts = z.record(z.string().max(200), z.string().max(4000));

const targetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('segment'), segmentId: z.string().min(1, 'pick a segment').max(100) }).strict(),
  z
    .object({ type: z.literal('persona'), workshopId: z.string().min(1).max(64), personaId: z.string().min(1, 'pick a persona').max(64) })
    .strict(),
]);

const isoInstant = z
  .string()
  .max(64)
  .refine((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t) && !Number.isNaN(Date.parse(t)), 'must be a date and time with a zone, such as 2026-07-01T09:00:00Z');

export const messageSchema = z
  .object({
    id: z.string().regex(MESSAGE_ID_PATTERN, 'ids start with a letter or digit and hold letters, digits, . _ : -'),
    name: z.string().trim().min(1, 'give the message a name').max(200),
    kind: z.enum(MESSAGE_KINDS),
    /** The content of the kind in use; the other kind's content is kept while authoring but not published. */
    modal: modalContentSchema.optional(),
    nps: npsContentSchema.optional(),
    survey: surveyContentSchema.optional(),
    banner: bannerContentSchema.optional(),
    slideout: slideoutContentSchema.optional(),
    /** The language the content is written in (default "en"), and translations of its texts per locale. */
    defaultLocale: z.string().regex(LOCALE_PATTERN, 'a language tag such as en, fr or pt-BR').optional(),
    translations: z
      .record(z.string().regex(LOCALE_PATTERN, 'a language tag such as en, fr or pt-BR'), translationTexts)
      .refine((t) => Object.keys(t).length <= 20, 'at most 20 translations')
      .optional(),
    /** What the message should make users do (issue 19); measured against the holdout group. */
    goal: goalSchema.optional(),
    /** Percent of eligible users held out as a control group: 0 to 50, fixed after the first publish. */
    holdout: z.number().min(0, 'holdout is 0 to 50%').max(50, 'holdout is 0 to 50%').optional(),
    target: targetSchema,
    trigger: z
      .object({
        /**
         * A URL pattern over the page's address as the SDK sends it (origin and path, plus allow-listed
         * query parameters; never the fragment); * stands for any run of characters. See messageWarnings.
         */
        page: z.string().trim().min(1, 'give a page pattern or remove it').max(2048).optional(),
        event: z
          .object({ name: z.string().min(1, 'name the event').max(200), where: z.array(z.unknown()).max(20).optional() })
          .strict()
          .optional(),
        delaySeconds: z.number().int('a whole number of seconds').min(0, 'cannot be negative').max(86_400, 'at most 86400 (one day)').optional(),
      })
      .strict(),
    frequency: z
      .object({
        once: z.boolean().optional(),
        everyDays: z.number().gt(0, 'must be more than 0').max(36_500).optional(),
        maxTimes: z.number().int('a whole number').min(1, 'at least 1').max(1_000_000).optional(),
      })
      .strict(),
    /** The global cooldown: hours after any message before this one may show. */
    cooldownHours: z.number().min(0, 'cannot be negative').max(87_600).optional(),
    schedule: z.object({ start: isoInstant.optional(), end: isoInstant.optional() }).strict(),
    rollout: z.number().min(0, 'rollout is 0 to 100%').max(100, 'rollout is 0 to 100%'),
    priority: z.number().int('a whole number').min(-1_000_000).max(1_000_000),
    environment: z.enum(ENVIRONMENTS),
    archived: z.boolean(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.kind === 'modal' && !m.modal) ctx.addIssue({ code: 'custom', path: ['modal'], message: 'write the modal: title, body, call to action' });
    if (m.kind === 'nps' && !m.nps) ctx.addIssue({ code: 'custom', path: ['nps'], message: 'write the survey: question and labels' });
    if (m.kind === 'survey' && !m.survey) ctx.addIssue({ code: 'custom', path: ['survey'], message: 'write the survey: at least one question' });
    if (m.kind === 'banner' && !m.banner) ctx.addIssue({ code: 'custom', path: ['banner'], message: 'write the banner: its text' });
    if (m.kind === 'slideout' && !m.slideout) ctx.addIssue({ code: 'custom', path: ['slideout'], message: 'write the slideout: title, body, call to action' });
    if (m.translations && m.defaultLocale && Object.keys(m.translations).some((l) => l.toLowerCase() === m.defaultLocale?.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['translations'], message: `${m.defaultLocale} is the default language: its texts are the content itself` });
    }
    const { start, end } = m.schedule;
    if (start && end && Date.parse(start) >= Date.parse(end)) ctx.addIssue({ code: 'custom', path: ['schedule', 'end'], message: 'the end must be after the start' });
  });

export type MessageDraft = z.infer<typeof messageSchema>;

/** The authored content of the draft's kind (undefined while it is not written). */
export function kindContent(draft: MessageDraft): ModalContent | NpsContent | z.infer<typeof surveyContentSchema> | BannerContent | SlideoutContent | undefined {
  return draft[draft.kind];
}

/**
 * What is allowed but will not do what the author likely means, by field path: warnings, never
 * refusals (a draft with warnings still saves and publishes). Today: a page pattern with "?" or "#".
 */
export function messageWarnings(draft: Pick<MessageDraft, 'trigger'>): Record<string, string[]> {
  const page = draft.trigger.page;
  const warning = page === undefined ? null : pagePatternWarning(page);
  return warning ? { 'trigger.page': [warning] } : {};
}

/** A message as the companion lists it: the draft plus what it knows of the server's copy. */
export interface MessageRecord {
  message: MessageDraft;
  status: MessageStatus;
  /** The last version the server accepted, and its state there. */
  publishedVersion: number | null;
  /** The publish body of that version (for the diff before the next publish). */
  publishedBody: unknown;
  /** The target's name (segment or persona), or null when it no longer exists: a warning, not a crash. */
  targetName: string | null;
  targetWarning: string | null;
  /** Pending outbox work for this message, newest first. */
  outbox: OutboxItem[];
  createdAt: number;
  updatedAt: number;
}

export const OUTBOX_OPS = ['publish', 'pause', 'resume', 'end'] as const;
export type OutboxOp = (typeof OUTBOX_OPS)[number];
export const OUTBOX_STATES = ['queued', 'sending', 'published', 'failed', 'conflict'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxItem {
  id: number;
  messageId: string;
  op: OutboxOp;
  environment: Environment;
  version: number | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  /** On a 409: the server's stored message, shown beside ours; nothing is overwritten. */
  serverMessage: unknown;
  createdAt: number;
  updatedAt: number;
}

/**
 * One message after a publish with an immediate attempt: delivered, still queued (the server was out of
 * reach: the outbox keeps trying), or failed (never queued, or refused), with the reason.
 */
export interface PublishAttempt {
  id: string;
  state: 'published' | 'queued' | 'failed';
  version: number | null;
  error?: string;
  /** Published, but the server did not keep everything sent (an older server dropped goal or holdout). */
  warning?: string;
}

/** The delivery URL of each environment and whether a token is held (the token itself never leaves the backend). */
export interface EnvironmentSettings {
  environment: Environment;
  url: string | null;
  hasToken: boolean;
  /** Where the token lives: the OS keychain (Electron safeStorage), memory, or the environment. */
  tokenSource: 'safe-storage' | 'memory' | 'env' | null;
}

/** "Who would see this now": the target's size as of the cache's data, and one user's check. */
export interface AudienceCheck {
  count: number;
  total: number;
  asOf: number;
  /** When a user was named: would they see it, and the reasons they would not. */
  user?: {
    userId: string;
    wouldSee: boolean;
    /** Why they would not see it, in the delivery server's order of checks; empty when they would. */
    reasons: string[];
    /** What cannot be checked here but still applies (the trigger: their next page or event). */
    notes: string[];
  };
}

export interface MessageResults {
  messageId: string;
  shown: number;
  dismissed: number;
  clicked: number;
  /** clicked / shown (0 when nothing was shown). */
  clickThroughRate: number;
  /**
   * Shown, clicked and answered per day over the last 30 days, oldest first: day k before asOf holds
   * asOf − (k+1)·24 h < ts ≤ asOf − k·24 h, labelled by its start.
   */
  daily: { dayStart: number; shown: number; clicked: number; answered: number }[];
  nps: NpsResults | null;
  /** A `survey` message's results (issue 18): null for other kinds while nobody has answered a survey question. */
  survey: SurveyResults | null;
}

/**
 * "If this message had been live over the last N weeks" (issue 19): the history replayed through the
 * delivery server's decide, against the other live messages (src/main/messages/backtest.ts).
 */
export const MAX_BACKTEST_WEEKS = 26;

export interface MessageBacktest {
  messageId: string;
  weeks: number;
  /** The window replayed: [from, to), to being the cache's "data as of". */
  from: number;
  to: number;
  /** The other live messages of the same environment it competed with. */
  competitors: { id: string; name: string; priority: number; kind: MessageKind }[];
  impressions: number;
  usersReached: number;
  /** Oldest first; week k holds from + k·7 days ≤ ts < from + (k+1)·7 days. `users`: distinct users shown it that week. */
  impressionsPerWeek: { weekStart: number; impressions: number; users: number }[];
  blocked: {
    /** Users it never reached because another message blocked it every time. */
    users: number;
    /** Users blocked at least once (some of them reached later). */
    usersEver: number;
    /** Per blocking message and reason: distinct users and blocked requests, most users first. */
    byMessage: { messageId: string; name: string; reason: 'cooldown' | 'priority'; users: number; times: number }[];
  };
  /** Personas (of workshops in the cache) the reached users belong to as of `to`. */
  personas: { label: string; users: number }[];
  /**
   * The baseline the lift will be measured against: reached users who performed the goal anyway within
   * withinDays of their first impression. windowOpen: reached users without it whose window is not over.
   */
  goal: { event: string; withinDays: number; reached: number; converted: number; rate: number; windowOpen: number } | null;
  /** Users replayed (the only ones who could see it) and their decide requests. */
  replayed: { users: number; requests: number };
  /** Where the history cannot answer, in words. */
  notes: string[];
  elapsedMs: number;
}

export interface NpsResults {
  answers: number;
  /** % promoters − % detractors, −100..100; null without answers. */
  score: number | null;
  /** Answers per score 0..10. */
  distribution: number[];
  weekly: { weekStart: number; answers: number; score: number | null }[];
  bySegment: { label: string; answers: number; score: number | null }[];
  byPersona: { label: string; answers: number; score: number | null }[];
  comments: NpsComment[];
  /**
   * Respondents who are not in the message's target as of asOf (people leave a segment after they
   * answer: a promoter is no longer "at risk"); null when the target cannot be read any more.
   */
  outsideTarget: { users: number; respondents: number; target: string } | null;
}

export interface NpsComment {
  userId: string;
  score: number;
  category: 'promoter' | 'passive' | 'detractor';
  comment: string;
  ts: number;
  /** The personas (of workshops in the cache) the commenter belongs to. */
  personas: string[];
}

/** The headline figure of a scored question: NPS (−100..100), the share satisfied (CSAT 4-5, 0..1), or the mean score (CES, rating). */
export type SurveyMetric = 'nps' | 'satisfied' | 'mean';

/** One segment's or persona's figures for a question: its answers, the question's metric, and per-choice counts (choice questions). */
export interface SurveyGroupFigure {
  label: string;
  answers: number;
  value: number | null;
  /** Per choice, in the order of SurveyQuestionResults.choices (empty for questions without choices). */
  choiceCounts: number[];
}

/** An open-text answer or the "other" text of a choice question, with the answerer's personas. */
export interface SurveyTextAnswer {
  responseId: string;
  userId: string;
  text: string;
  ts: number;
  locale: string;
  personas: string[];
}

export interface SurveyQuestionResults {
  id: string;
  type: SurveyQuestionType;
  /** The question as authored (its id when the message is not in the cache any more). */
  text: string;
  /** Answers (one per response at most). */
  answers: number;
  metric: SurveyMetric | null;
  /** The metric over every answer; null without answers or for unscored questions. */
  value: number | null;
  /** Scored questions: the scale, and answers per score from min to max. */
  scale: { min: number; max: number } | null;
  distribution: number[];
  /** The metric per week over the last 12 weeks, oldest first (the NPS trend's windows). */
  weekly: { weekStart: number; answers: number; value: number | null }[];
  /** Choice questions: each choice (and "other" when offered or used) with how many answers picked it. */
  choices: { id: string; label: string; count: number }[];
  /** Open-text answers, or a choice question's "other" texts: newest first, filtered by the search, at most 500. */
  texts: SurveyTextAnswer[];
  bySegment: SurveyGroupFigure[];
  byPersona: SurveyGroupFigure[];
}

/** Responses and completion of one segment or persona. */
export interface SurveyGroupResponses {
  label: string;
  responses: number;
  completed: number;
}

export interface SurveyResults {
  /** Showings with at least one answer (partial ones included). */
  responses: number;
  /** Responses that answered every question they reached, to the end. */
  completed: number;
  /** responses / shown; null when it was never shown. */
  responseRate: number | null;
  /** completed / responses; null without responses. */
  completionRate: number | null;
  /** Responses per locale shown, most first. */
  byLocale: { locale: string; responses: number }[];
  bySegment: SurveyGroupResponses[];
  byPersona: SurveyGroupResponses[];
  questions: SurveyQuestionResults[];
}
