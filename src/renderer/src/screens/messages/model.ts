/**
 * The Messages area's pure helpers: sensible starting content for each kind, client-side validation
 * keyed by field, the schedule's datetime-local ⇄ ISO conversion, and what the preview hands the SDK's
 * renderer.
 */
import { kindContent, messageSchema, messageWarnings, type MessageDraft, type MessageKind, type MessageRecord, type MessageStatus, type OutboxItem } from '../../../../shared/messages/model';
import type { SdkMessage } from '../../../../sdk/render';
import { translateContent } from '../../../../shared/messages/locale';
import { languageName, translationPathLabel } from './languages';

export const STATUS_LABELS: Record<MessageStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  live: 'Live',
  paused: 'Paused',
  ended: 'Ended',
  archived: 'Archived',
};

export const KIND_LABELS: Record<MessageKind, string> = { modal: 'Upsell modal', nps: 'NPS survey', survey: 'Survey', banner: 'Banner', slideout: 'Slideout' };

export const OUTBOX_LABELS: Record<OutboxItem['state'], string> = {
  queued: 'Queued',
  sending: 'Sending…',
  published: 'Published',
  failed: 'Failed',
  conflict: 'Conflict',
};

export const OP_LABELS: Record<OutboxItem['op'], string> = { publish: 'Publish', pause: 'Pause', resume: 'Resume', end: 'End' };

export const defaultModal = (): NonNullable<MessageDraft['modal']> => ({
  title: 'Unlock unlimited projects',
  body: 'You have reached the **3 project** limit of the Starter plan.\n\nUpgrade to Pro for unlimited projects, shared dashboards and priority support.',
  cta: { label: 'See Pro plans', url: 'https://example.com/pricing' },
  dismissLabel: 'Not now',
});

export const defaultNps = (): NonNullable<MessageDraft['nps']> => ({
  question: 'How likely are you to recommend us to a friend or colleague?',
  lowLabel: 'Not at all likely',
  highLabel: 'Extremely likely',
  followUp: {
    promoter: 'What do you like most?',
    passive: 'What would make it a 10 for you?',
    detractor: 'What should we fix first?',
  },
  thankYou: 'Thank you for your feedback!',
});

/**
 * A starter survey that shows what a survey can do: a CSAT question whose low scores branch to a
 * choice question (with "other"), while the rest skip to an optional open question.
 */
export const defaultSurvey = (): NonNullable<MessageDraft['survey']> => ({
  title: 'A minute for feedback?',
  questions: [
    {
      type: 'csat',
      id: 'q1',
      text: 'How satisfied are you with reports?',
      lowLabel: 'Very dissatisfied',
      highLabel: 'Very satisfied',
      branches: [{ when: { max: 2 }, goTo: 'q2' }],
      next: 'q3',
    },
    {
      type: 'single_choice',
      id: 'q2',
      text: 'What disappointed you most?',
      choices: [
        { id: 'c1', label: 'They are slow' },
        { id: 'c2', label: 'They miss data I need' },
        { id: 'c3', label: 'They are hard to read' },
      ],
      other: { label: 'Something else' },
    },
    { type: 'open_text', id: 'q3', text: 'Anything else you would like to tell us?', optional: true },
  ],
  thankYou: 'Thank you for your feedback!',
  dismissLabel: 'Close',
});

export const defaultBanner = (): NonNullable<MessageDraft['banner']> => ({
  text: '**New:** schedule any report to arrive by email every Monday.',
  position: 'top',
  cta: { label: 'Schedule a report', url: 'https://example.com/reports/schedule' },
  dismissLabel: 'Dismiss',
});

export const defaultSlideout = (): NonNullable<MessageDraft['slideout']> => ({
  title: 'Share dashboards with your team',
  body: 'Invite teammates to see the dashboards you build, without exporting a thing.',
  cta: { label: 'Invite teammates', url: 'https://example.com/team' },
  dismissLabel: 'Not now',
  corner: 'bottom-right',
});

/** The starting content of a kind, as the draft field of the same name. */
export function defaultContent(kind: MessageKind): Partial<Pick<MessageDraft, MessageKind>> {
  switch (kind) {
    case 'modal':
      return { modal: defaultModal() };
    case 'nps':
      return { nps: defaultNps() };
    case 'survey':
      return { survey: defaultSurvey() };
    case 'banner':
      return { banner: defaultBanner() };
    case 'slideout':
      return { slideout: defaultSlideout() };
  }
}

function randomSuffix(): string {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 8);
}

/** Surveys ask once and wait a moment; the other kinds may come back weekly, three times at most. */
const ASKS = new Set<MessageKind>(['nps', 'survey']);

/** A new draft of the kind, aimed at `segmentId`, or at no one yet (null): the author picks, it is never guessed. */
export function newDraft(kind: MessageKind, segmentId: string | null): MessageDraft {
  return {
    id: `${kind}-${randomSuffix()}`,
    name: KIND_LABELS[kind],
    kind,
    ...defaultContent(kind),
    target: { type: 'segment', segmentId: segmentId ?? '' },
    trigger: ASKS.has(kind) ? { page: '*', delaySeconds: 5 } : { page: '*' },
    frequency: ASKS.has(kind) ? { once: true } : { everyDays: 7, maxTimes: 3 },
    cooldownHours: 24,
    schedule: {},
    rollout: 100,
    priority: 0,
    environment: 'production',
    archived: false,
  };
}

/** Field path → what is wrong there, from the same schema the backend validates with. */
export type Issues = Record<string, string[]>;

export function validate(draft: MessageDraft): Issues {
  const parsed = messageSchema.safeParse(draft);
  if (parsed.success) return {};
  const out: Issues = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.');
    const message = issue.code === 'invalid_type' && issue.expected === 'number' ? 'enter a number' : issue.message;
    (out[key] ??= []).push(message);
  }
  return out;
}

/** What is allowed but will not do what the author likely means (shown beside the field, never blocking a save or publish). */
export const warnings = (draft: MessageDraft): Issues => messageWarnings(draft);

/** The issues at `path` and below it (an object's refine lands on the object itself). */
export function issuesAt(issues: Issues, path: string): string[] {
  return Object.entries(issues)
    .filter(([key]) => key === path || key.startsWith(`${path}.`))
    .flatMap(([, messages]) => messages);
}

/** Words for a field path in a summary: "nps.followUp.detractor" → "survey › follow-up › detractor". */
const PATH_WORDS: Record<string, string> = {
  modal: 'modal',
  nps: 'survey',
  cta: 'call to action',
  followUp: 'follow-up',
  imageUrl: 'image URL',
  dismissLabel: 'dismiss label',
  lowLabel: 'label for 0',
  highLabel: 'label for 10',
  thankYou: 'thank-you text',
  survey: 'survey',
  questions: 'questions',
  banner: 'banner',
  slideout: 'slideout',
  corner: 'corner',
  position: 'position',
  defaultLocale: 'default language',
  translations: 'translations',
  target: 'target',
  segmentId: 'segment',
  personaId: 'persona',
  trigger: 'trigger',
  delaySeconds: 'delay',
  frequency: 'frequency',
  everyDays: 'every N days',
  maxTimes: 'at most N times',
  cooldownHours: 'cooldown',
  schedule: 'schedule',
  rollout: 'rollout',
  priority: 'priority',
  environment: 'environment',
};
/** Positions in a list, said from 1: "questions.0" → "question 1". */
const POSITION_WORDS: Record<string, string> = { questions: 'question', branches: 'branch', choices: 'choice' };
/** Words that differ inside a survey's question ("lowLabel" of a CSAT question is not the label for 0). */
const QUESTION_WORDS: Record<string, string> = {
  text: 'text',
  lowLabel: 'label for the lowest score',
  highLabel: 'label for the highest score',
  when: 'answer',
  goTo: 'go to',
  next: 'then go to',
  other: '“other”',
  max: 'scale',
};
export function pathWords(path: string): string {
  const parts = path.split('.').filter(Boolean);
  const words: string[] = [];
  parts.forEach((part, i) => {
    const before = parts[i - 1] ?? '';
    const position = POSITION_WORDS[before];
    if (position && /^\d+$/.test(part)) {
      words[words.length - 1] = `${position} ${Number(part) + 1}`;
      return;
    }
    if (before === 'translations' && i === 1) {
      words.push(languageName(part));
      return;
    }
    const inQuestion = parts[0] === 'survey' && parts[1] === 'questions' && i > 2;
    words.push((inQuestion ? QUESTION_WORDS[part] : undefined) ?? PATH_WORDS[part] ?? part);
  });
  return words.join(' › ');
}

/** ISO instant ⇄ datetime-local value, in UTC like the rest of the app. */
export const isoToInput = (iso: string | undefined): string => {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 16);
};
export const inputToIso = (value: string): string | undefined => (value ? `${value}:00Z` : undefined);

/**
 * What the SDK's renderer draws for the draft: the kind's content as the server will send it, in
 * `locale` when it is one of the draft's translations (each text translated, the missing ones in the
 * default language), with `locale` named in the content once the draft has translations.
 */
export function previewMessage(draft: MessageDraft, locale?: string): SdkMessage {
  const content = kindContent(draft);
  const translations = draft.translations ?? {};
  if (Object.keys(translations).length === 0 || content === undefined) return { id: draft.id, kind: draft.kind, content };
  const shown = locale !== undefined && Object.prototype.hasOwnProperty.call(translations, locale) ? locale : (draft.defaultLocale ?? 'en');
  return { id: draft.id, kind: draft.kind, content: { ...translateContent(content, translations[shown]), locale: shown } };
}

/** Whether the message offers a call to action (a modal's or slideout's, a banner's optional one), so a click-through rate means something. */
export function hasCallToAction(draft: MessageDraft): boolean {
  switch (draft.kind) {
    case 'modal':
      return Boolean(draft.modal?.cta);
    case 'slideout':
      return Boolean(draft.slideout?.cta);
    case 'banner':
      return Boolean(draft.banner?.cta);
    default:
      return false;
  }
}

/** The newest outbox item: what the message's publishing is doing right now. */
export function latestOutbox(record: MessageRecord): OutboxItem | null {
  return record.outbox[0] ?? null;
}

/** Leaves of a JSON value as path → value text, for the side-by-side views. */
export function flatten(value: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

export const showValue = (value: unknown): string =>
  value === undefined || value === null ? '—' : typeof value === 'string' ? value : JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');

/** NPS category counts from the 0-10 distribution. */
export function categories(distribution: number[]): { detractors: number; passives: number; promoters: number } {
  let detractors = 0;
  let passives = 0;
  let promoters = 0;
  distribution.forEach((n, score) => {
    if (score >= 9) promoters += n;
    else if (score >= 7) passives += n;
    else detractors += n;
  });
  return { detractors, passives, promoters };
}

/** An NPS score as people write it: "+32", "−100", "0". */
export function formatScore(score: number | null): string {
  if (score === null) return '—';
  const rounded = Math.round(score);
  return rounded > 0 ? `+${rounded}` : rounded < 0 ? `−${Math.abs(rounded)}` : '0';
}

/** What each field of the publish body is called in the editor: the publish dialog's diff speaks these words. */
const CHANGE_LABELS: Record<string, string> = {
  kind: 'Kind',
  'content.title': 'Title',
  'content.body': 'Body',
  'content.imageUrl': 'Image URL',
  'content.cta.label': 'Button label',
  'content.cta.url': 'Button link',
  'content.dismissLabel': 'Dismiss label',
  'content.question': 'Question',
  'content.lowLabel': 'Label for 0',
  'content.highLabel': 'Label for 10',
  'content.followUp.promoter': 'Follow-up for promoters',
  'content.followUp.passive': 'Follow-up for passives',
  'content.followUp.detractor': 'Follow-up for detractors',
  'content.thankYou': 'Thank-you text',
  'content.imageAlt': 'Image description',
  'content.cta.action': 'Button action',
  'content.cta.newTab': 'Button opens a new tab',
  'content.questions': 'Questions',
  'content.text': 'Banner text',
  'content.position': 'Position on the page',
  'content.corner': 'Corner',
  'content.locale': 'Default language',
  'content.translations': 'Translations',
  rule: 'Who sees it',
  'trigger.page': 'On pages matching',
  'trigger.event.name': 'After the event',
  'trigger.event.where': 'Where the event’s properties',
  'trigger.delaySeconds': 'Delay after the trigger (seconds)',
  'frequency.once': 'Once per user',
  'frequency.everyDays': 'Again every N days',
  'frequency.maxTimes': 'At most N times',
  cooldownHours: 'Global cooldown (hours)',
  'schedule.start': 'Start (UTC)',
  'schedule.end': 'End (UTC)',
  rollout: 'Rollout (% of the target)',
  priority: 'Priority',
  environment: 'Environment',
};

/**
 * "content.followUp.promoter" → "Follow-up for promoters"; a translated text → "Arabic (ar) › Question 1 ›
 * question" (by the draft's question and choice positions when `draft` is given); an unknown path in the
 * summary's words.
 */
export function changeLabel(path: string, draft?: MessageDraft): string {
  const known = CHANGE_LABELS[path];
  if (known) return known;
  const translated = /^content\.translations\.([^.]+)\.(.+)$/.exec(path);
  if (translated) {
    const [, tag = '', text = ''] = translated;
    return `${languageName(tag)} translation › ${draft ? translationPathLabel(draft, text) : text}`;
  }
  const words = pathWords(path.replace(/^content\./, ''));
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A changed value as the dialog shows it: text as is, true/false as yes/no, nothing as a dash. */
export function changeText(value: unknown): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return showValue(value);
}
