/**
 * The demo's issue-18 messages, beside the upsell and the NPS survey (example-messages.ts): a `survey`
 * (a CSAT question on reports; at 3 or less a branch to "what is missing?", a choice with "other"; then
 * an optional open question) in English, French and Arabic, and a top `banner` announcing timeline
 * reports in English and French. Both target the demo's engaged users and are published as version 1.
 *
 * `SurveyEventPlanner` writes their synthetic results the way the SDK sends them (survey-flow.ts): one
 * survey_answered per answered question with a shared response_id and the locale shown, survey_closed
 * when a showing closes (some never send it: the tab was closed), partial responses among them; the
 * banner's shows, clicks and dismissals. It draws from its own seeded generator, so every other figure
 * of the demo stays as it was, and every demo cache holds the same answers.
 */
import type { MessageDraft, SurveyContent } from '../../shared/messages/model';
import { nextQuestionId, SURVEY_ANSWERED, SURVEY_CLOSED, SURVEY_END, type SurveyAnswer } from '../../shared/messages/survey-flow';
import { Random } from '../../shared/random';
import type { Db } from '../db/connection';
import { recordPublishedExamples } from '../messages/service';
import { SegmentService } from '../segments/service';
import { ENGAGED_LOGINS, ENGAGED_SEGMENT_ID } from './example-messages';

const AS_OF = Date.UTC(2026, 5, 30);
const DAY_MS = 86_400_000;

export const SURVEY_MESSAGE_ID = 'demo-survey-reports';
export const BANNER_MESSAGE_ID = 'demo-banner-timelines';
/** The survey went live four weeks before "data as of", the banner three. */
export const SURVEY_START = AS_OF - 28 * DAY_MS;
export const BANNER_START = AS_OF - 21 * DAY_MS;

/** The event names these write besides the NPS demo's (MESSAGE_EVENT_NAMES). */
export const SURVEY_DEMO_EVENT_NAMES = [SURVEY_CLOSED] as const;
export type SurveyDemoEventName = 'message_shown' | 'message_dismissed' | 'message_clicked' | typeof SURVEY_ANSWERED | typeof SURVEY_CLOSED;

const survey: SurveyContent = {
  title: 'Quick question about reports',
  questions: [
    {
      id: 'sat',
      type: 'csat',
      text: 'How satisfied are you with Taskly reports?',
      lowLabel: 'Very unsatisfied',
      highLabel: 'Very satisfied',
      style: 'faces',
      branches: [{ when: { max: 3 }, goTo: 'missing' }],
      next: 'more',
    },
    {
      id: 'missing',
      type: 'single_choice',
      text: 'What would make reports better for you?',
      choices: [
        { id: 'speed', label: 'Faster loading' },
        { id: 'schedule', label: 'Scheduled delivery' },
        { id: 'exports', label: 'Better PDF and CSV exports' },
      ],
      other: { label: 'Something else' },
    },
    { id: 'more', type: 'open_text', text: 'Anything else you would like to tell us?', optional: true, placeholder: 'Your answer' },
  ],
  thankYou: 'Thank you! The reports team reads every answer.',
  dismissLabel: 'Close survey',
};

const SURVEY_FR: Record<string, string> = {
  title: 'Une question rapide sur les rapports',
  'questions.sat.text': 'Êtes-vous satisfait des rapports de Taskly ?',
  'questions.sat.lowLabel': 'Très insatisfait',
  'questions.sat.highLabel': 'Très satisfait',
  'questions.missing.text': 'Qu’est-ce qui améliorerait les rapports pour vous ?',
  'questions.missing.choices.speed.label': 'Un chargement plus rapide',
  'questions.missing.choices.schedule.label': 'L’envoi programmé',
  'questions.missing.choices.exports.label': 'De meilleurs exports PDF et CSV',
  'questions.missing.other.label': 'Autre chose',
  'questions.more.text': 'Souhaitez-vous nous dire autre chose ?',
  'questions.more.placeholder': 'Votre réponse',
  thankYou: 'Merci ! L’équipe des rapports lit chaque réponse.',
  dismissLabel: 'Fermer le questionnaire',
};

const SURVEY_AR: Record<string, string> = {
  title: 'سؤال سريع عن التقارير',
  'questions.sat.text': 'ما مدى رضاك عن تقارير Taskly؟',
  'questions.sat.lowLabel': 'غير راضٍ إطلاقًا',
  'questions.sat.highLabel': 'راضٍ جدًا',
  'questions.missing.text': 'ما الذي يجعل التقارير أفضل بالنسبة لك؟',
  'questions.missing.choices.speed.label': 'تحميل أسرع',
  'questions.missing.choices.schedule.label': 'إرسال مجدول',
  'questions.missing.choices.exports.label': 'تصدير أفضل بصيغتي PDF وCSV',
  'questions.missing.other.label': 'شيء آخر',
  'questions.more.text': 'هل هناك شيء آخر تود إخبارنا به؟',
  'questions.more.placeholder': 'إجابتك',
  thankYou: 'شكرًا لك! يقرأ فريق التقارير كل إجابة.',
  dismissLabel: 'إغلاق الاستبيان',
};

const surveyMessage: MessageDraft = {
  id: SURVEY_MESSAGE_ID,
  name: 'Survey: reports satisfaction',
  kind: 'survey',
  survey,
  defaultLocale: 'en',
  translations: { fr: SURVEY_FR, ar: SURVEY_AR },
  target: { type: 'segment', segmentId: ENGAGED_SEGMENT_ID },
  trigger: { event: { name: 'report_run' }, delaySeconds: 3 },
  frequency: { once: true },
  cooldownHours: 24,
  schedule: { start: new Date(SURVEY_START).toISOString() },
  rollout: 100,
  priority: 5,
  environment: 'production',
  archived: false,
};

const bannerMessage: MessageDraft = {
  id: BANNER_MESSAGE_ID,
  name: 'Banner: timeline reports are here',
  kind: 'banner',
  banner: {
    text: 'New: **timeline reports** show every project on one page.',
    position: 'top',
    cta: { label: 'Try timelines', url: 'https://app.taskly.example/reports/timeline?from=banner' },
    dismissLabel: 'Dismiss',
  },
  defaultLocale: 'en',
  translations: {
    fr: {
      text: 'Nouveau : les **rapports chronologiques** montrent tous les projets sur une seule page.',
      'cta.label': 'Essayer',
      dismissLabel: 'Fermer',
    },
  },
  target: { type: 'segment', segmentId: ENGAGED_SEGMENT_ID },
  trigger: { page: 'https://app.taskly.example/reports*' },
  frequency: { once: true },
  schedule: { start: new Date(BANNER_START).toISOString() },
  rollout: 100,
  priority: 0,
  environment: 'production',
  archived: false,
};

/** The drafts as the demo writes them (for tests). */
export const EXAMPLE_SURVEY_MESSAGES: readonly MessageDraft[] = [surveyMessage, bannerMessage];

/** Writes the survey and the banner, published as version 1. Runs inside the demo's transaction, after insertExampleMessages (their segment). */
export function insertExampleSurveyMessages(db: Db): void {
  const segments = new SegmentService(db, () => SURVEY_START - DAY_MS);
  const engaged = segments.get(ENGAGED_SEGMENT_ID);
  recordPublishedExamples(db, [
    { message: surveyMessage, targetName: engaged.name, rule: engaged.rule, at: SURVEY_START - DAY_MS },
    { message: bannerMessage, targetName: engaged.name, rule: engaged.rule, at: BANNER_START - DAY_MS },
  ]);
}

/** What people write, per locale shown: under "other", and in the open question. */
const TEXTS: Record<'en' | 'fr' | 'ar', { other: string[]; more: string[] }> = {
  en: {
    other: ['Filters by assignee', 'Charts per client', 'A dark theme for printed reports'],
    more: ['Reports save me an hour every Monday.', 'Please let me share a report with a client link.', 'The burndown chart is confusing, "ideal" line unclear.', 'Love it, keep going!'],
  },
  fr: {
    other: ['Filtrer par responsable', 'Des graphiques par client'],
    more: ['Les rapports me font gagner une heure chaque lundi.', 'Merci de permettre le partage par lien.'],
  },
  ar: {
    other: ['تصفية حسب المسؤول'],
    more: ['التقارير ممتازة، شكرًا.', 'أريد مشاركة التقرير مع العملاء.'],
  },
};

type Emit = (name: SurveyDemoEventName, ts: number, properties: Record<string, unknown>) => void;

/** Decides, user by user as the demo generates them, who saw the survey and the banner and what they did. */
export class SurveyEventPlanner {
  private readonly rng: Random;
  private responses = 0;

  constructor(seed: number) {
    this.rng = new Random(seed);
  }

  user(profile: { plan: string; power: boolean; country: string }, emit: Emit) {
    const rng = this.rng;
    const logins: number[] = [];
    let surveyed = false;
    let bannered = false;
    // The locale the SDK picked: French for people in France, Arabic for a few, English for the rest.
    const locale: 'en' | 'fr' | 'ar' = profile.country === 'FR' ? 'fr' : rng.chance(0.03) ? 'ar' : 'en';
    const nextResponseId = (): string => `demo-resp-${String((this.responses += 1)).padStart(5, '0')}`;
    const text = (list: readonly string[]): string => list[rng.int(0, list.length - 1)] as string;

    const runSurvey = (t: number): void => {
      const shownAt = t + 3000;
      const responseId = nextResponseId();
      const base = { message_id: SURVEY_MESSAGE_ID, response_id: responseId, locale };
      emit('message_shown', shownAt, { message_id: SURVEY_MESSAGE_ID, locale });
      let at = shownAt + rng.int(3000, 20_000);
      const close = (last: string, completed: boolean): void => {
        // Some showings end with the tab: no survey_closed ever comes.
        if (rng.chance(0.1)) return;
        if (!completed) emit('message_dismissed', at + 500, { message_id: SURVEY_MESSAGE_ID, locale });
        emit(SURVEY_CLOSED, at + 600, { ...base, last_question_id: last, completed });
      };
      if (rng.chance(0.35)) {
        close('sat', false);
        return;
      }
      let mean = profile.power ? 4.2 : 3.7;
      if (profile.plan === 'starter') mean -= 0.6;
      const spread = (rng.next() + rng.next()) / 2 - 0.5;
      const score = Math.max(1, Math.min(5, Math.round(mean + spread * 4)));
      emit(SURVEY_ANSWERED, at, { ...base, question_id: 'sat', question_type: 'csat', survey: 'csat', score });
      let current = nextQuestionId(survey, 'sat', { score });
      // Answer the rest, forward, until the end or until they stop (a partial response).
      while (current !== SURVEY_END) {
        at += rng.int(4000, 40_000);
        if (rng.chance(current === 'more' ? 0.12 : 0.18)) {
          close(current, false);
          return;
        }
        let answer: SurveyAnswer = null;
        if (current === 'missing') {
          const choice = rng.chance(0.15) ? 'other' : rng.pick(['speed', 'schedule', 'schedule', 'exports']);
          const other = choice === 'other' ? text(TEXTS[locale].other) : undefined;
          answer = { choices: [choice] };
          emit(SURVEY_ANSWERED, at, { ...base, question_id: 'missing', question_type: 'single_choice', survey: 'single_choice', choice, ...(other ? { text: other } : {}) });
        } else if (current === 'more' && rng.chance(0.45)) {
          const written = text(TEXTS[locale].more);
          answer = { text: written };
          emit(SURVEY_ANSWERED, at, { ...base, question_id: 'more', question_type: 'open_text', survey: 'open_text', text: written });
        }
        current = nextQuestionId(survey, current, answer);
      }
      close('more', true);
    };

    return {
      /** A login at t: engaged users may see the survey once it is live; people on the reports pages the banner. */
      login: (t: number): void => {
        logins.push(t);
        const recent = logins.filter((l) => l > t - 30 * DAY_MS).length;
        if (!surveyed && t >= SURVEY_START && recent >= ENGAGED_LOGINS && rng.chance(0.25)) {
          surveyed = true;
          runSurvey(t);
        }
        if (!bannered && t >= BANNER_START && recent >= ENGAGED_LOGINS && rng.chance(0.2)) {
          bannered = true;
          const shownAt = t + rng.int(5000, 120_000);
          const bannerLocale = locale === 'fr' ? 'fr' : 'en';
          emit('message_shown', shownAt, { message_id: BANNER_MESSAGE_ID, locale: bannerLocale });
          if (rng.chance(0.14)) emit('message_clicked', shownAt + rng.int(2000, 60_000), { message_id: BANNER_MESSAGE_ID, locale: bannerLocale });
          else if (rng.chance(0.5)) emit('message_dismissed', shownAt + rng.int(2000, 60_000), { message_id: BANNER_MESSAGE_ID, locale: bannerLocale });
        }
      },
    };
  }
}
