/**
 * The kinds the core SDK does not draw: the multi-question `survey`, the `banner` and the `slideout`.
 * Built on its own as out/sdk/guidepost-kinds.js (vite.kinds.config.ts), which the core fetches the
 * first time decide names one of these kinds: the chunk takes everything it imports from './render'
 * from the core already on the page (the global `guidepostCore`), so the frame, the modal's content,
 * localization and the stylesheet are not shipped twice. The companion's preview imports this file
 * directly: renderAnyMessage draws every kind, in the language asked for.
 *
 * Localization lives here too (localize): a modal or NPS survey with translations is drawn by this chunk,
 * so the core stays small for pages that show untranslated modals and NPS surveys only.
 *
 * Survey: one question at a time in a blocking dialog. Scores (nps 0-10, csat 1-5 as numbers, faces or
 * stars, ces 1-7, rating 1-N) and single choices are native radio groups (arrow keys move and select),
 * multiple choices checkboxes, "other" a choice with a text box, open questions a text box; every
 * control is labelled by the question. Enter (or the button) goes on; an optional question may be left
 * unanswered. Each answer is sent at once as survey_answered; the walk follows the branches
 * (nextQuestionId); survey_closed ends every showing, completed or not, with one response_id.
 */
import { el, obj, text, type Content } from './dom';
import { uuid } from './uuid';
import {
  callToAction,
  drawModal,
  drawNps,
  renderFrame,
  renderMarkdown,
  thankYou,
  type Frame,
  type Localized,
  type RenderedMessage,
  type RenderHandlers,
  type RenderOptions,
  type SdkMessage,
} from './render';
import { nextQuestionId, OTHER_CHOICE, scaleOf, SURVEY_ANSWERED, SURVEY_CLOSED, SURVEY_END, surveyTag, type SurveyAnswer } from '../shared/messages/survey-flow';
import type { SurveyQuestion } from '../shared/messages/survey';
import { isRightToLeft, pickLocale, translateContent } from '../shared/messages/locale';

type Render = (container: HTMLElement | ShadowRoot, message: SdkMessage, handlers?: RenderHandlers, options?: RenderOptions) => RenderedMessage | null;

/** What the kinds add to the core's stylesheet. Logical sides throughout, so right to left mirrors. */
export const KINDS_CSS = `.gp-corner,.gp-bar{inset:auto;display:block;padding:0;background:none}
.gp-corner{bottom:16px;inset-inline-end:16px;width:min(380px,calc(100% - 32px))}
.gp-corner.gp-start{inset-inline:16px auto}
.gp-corner .gp-dialog{padding:22px}
.gp-bar{top:0;left:0;right:0}
.gp-bar.gp-bottom{top:auto;bottom:0}
.gp-bar .gp-dialog{display:flex;flex-wrap:wrap;align-items:center;gap:8px 12px;max-width:none;padding:10px 16px;border-radius:0}
.gp-bar .gp-body{flex:1 1 240px;color:var(--tx)}
.gp-bar .gp-body p{margin:0}
.gp-bar .gp-x{position:static}
.gp-bar .gp-btn{min-height:32px;padding:5px 14px}
.gp-survey{max-width:520px}
.gp-q{margin:0 0 4px;font-weight:600}
.gp-opts{display:grid;grid-template-columns:repeat(var(--n),1fr);gap:6px;margin:16px 0 8px}
.gp-opt{position:relative;display:flex}
.gp-opt input{position:absolute;inset:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}
.gp-opt span{flex:1;display:grid;place-items:center;min-height:44px;border:1px solid var(--bd);border-radius:8px;font:600 15px var(--f)}
.gp-opt:hover span{border-color:var(--a)}
.gp-opt input:checked+span{border-color:var(--a);background:var(--a);color:var(--at)}
.gp-opt input:focus-visible+span{outline:2px solid var(--ring);outline-offset:2px}
.gp-faces span{font-size:24px}
.gp-stars span{border-color:transparent;color:var(--mu);font-size:28px}
.gp-stars .gp-on span,.gp-stars .gp-on input:checked+span{border-color:transparent;background:none;color:var(--a)}
.gp-list{display:grid;gap:8px;margin:16px 0 8px}
.gp-list label{display:flex;gap:10px;align-items:center;padding:10px 12px;border:1px solid var(--bd);border-radius:8px;cursor:pointer}
.gp-list input{width:18px;height:18px;margin:0;accent-color:var(--a)}
.gp-list input[type=text]{flex:1;width:auto;height:auto;padding:6px 10px;border:1px solid var(--bd);border-radius:6px;background:var(--bg);color:var(--tx);font:400 15px var(--f)}
.gp-survey .gp-follow{margin-top:12px}
.gp-btn:disabled{opacity:.55;cursor:default}`;

/**
 * The message's content in the language to show (shared/messages/locale.ts): the first of `wanted`
 * (init's locale, else the browser's languages) that the message has, exactly, then by language part,
 * else its default language (`content.locale`, "en" when the message has no translations).
 */
export function localize(message: SdkMessage, wanted?: string | readonly string[]): Localized {
  const content = obj(message?.content);
  const translations = obj(content.translations);
  const fallback = text(content.locale, 'en');
  const nav = globalThis.navigator;
  const asked = wanted === undefined || wanted === '' ? (nav?.languages ?? [nav?.language ?? '']) : typeof wanted === 'string' ? [wanted] : wanted;
  const locale = pickLocale(asked.map(String), [fallback, ...Object.keys(translations)], fallback);
  return { content: translateContent(content, obj(translations[locale]) as Record<string, string>), locale, rtl: isRightToLeft(locale) };
}

/**
 * A frame that does not block: no backdrop, the focus left where it is, Esc closing it from inside or
 * while the focus is nowhere in particular (the page's body), as a slideout or a banner.
 */
function beside(frame: Frame, className: string): void {
  frame.wrap.classList.add(className);
  const onPageKey = (event: KeyboardEvent): void => {
    const active = document.activeElement;
    if (event.key === 'Escape' && !event.defaultPrevented && (!active || active === document.body)) {
      // One Esc closes one message: the other non-blocking one waits for the next.
      event.preventDefault();
      frame.dismiss();
    }
  };
  if (frame.inline) return;
  document.addEventListener('keydown', onPageKey);
  const close = frame.close;
  frame.close = () => {
    document.removeEventListener('keydown', onPageKey);
    close();
  };
}

/**
 * A bottom banner and a slideout share the page's bottom edge: while a bottom banner shows, every
 * slideout sits 16px above it, and moves as the banner's height changes (its text wraps on a narrow
 * page) or it closes, so neither covers the other. Banners and slideouts are separate hosts with shadow
 * roots of their own, so this chunk places them, not CSS.
 */
const bottomBars = new Set<HTMLElement>();
const corners = new Set<HTMLElement>();
let barWatcher: ResizeObserver | undefined;

function placeCorners(): void {
  let lift = 0;
  for (const bar of bottomBars) lift = Math.max(lift, bar.getBoundingClientRect().height);
  for (const corner of corners) corner.style.bottom = lift > 0 ? `${Math.ceil(lift) + 16}px` : '';
}

/** Keeps `wrap` in `set` (the bottom banners or the slideouts) until its frame closes, placing the slideouts each time. */
function sharesBottom(frame: Frame, set: Set<HTMLElement>): void {
  if (frame.inline) return;
  const { wrap } = frame;
  set.add(wrap);
  if (set === bottomBars && typeof ResizeObserver === 'function') (barWatcher ??= new ResizeObserver(placeCorners)).observe(wrap);
  placeCorners();
  const close = frame.close;
  frame.close = () => {
    set.delete(wrap);
    barWatcher?.unobserve(wrap);
    placeCorners();
    close();
  };
}

/** The × button named by the content's dismissLabel (a survey's and a banner's), when it has one. */
function labelled(button: HTMLButtonElement, label: unknown): HTMLButtonElement {
  button.setAttribute('aria-label', text(label, button.getAttribute('aria-label') ?? 'Close'));
  return button;
}

const QUESTION_TYPES = ['nps', 'csat', 'ces', 'rating', 'single_choice', 'multi_choice', 'open_text'];
const FACES = ['😞', '🙁', '😐', '🙂', '😀'];

/** The questions a survey's content holds that can be drawn (an id and a known type); the rest are left out. */
function questionsOf(content: Content): SurveyQuestion[] {
  const list = Array.isArray(content.questions) ? content.questions : [];
  return list.map(obj).filter((q) => typeof q.id === 'string' && QUESTION_TYPES.includes(String(q.type))) as unknown as SurveyQuestion[];
}

function drawSurvey(frame: Frame): void {
  const { dialog, content } = frame;
  const questions = questionsOf(content);
  if (questions.length === 0) throw new Error('a survey without questions');
  const survey = { questions };
  const responseId = uuid();
  const title = text(content.title, '');
  let current = questions[0] as SurveyQuestion;
  let answeredAny = false;
  const closedEvent = (completed: boolean): void =>
    frame.emit(SURVEY_CLOSED, { response_id: responseId, last_question_id: current.id, completed, locale: frame.locale });
  frame.onDismiss = () => {
    if (!answeredAny) frame.emit('message_dismissed');
    closedEvent(false);
  };
  if (title) dialog.append(frame.heading(title));
  const form = dialog.appendChild(el('form'));
  form.noValidate = true;
  dialog.append(labelled(frame.closeButton(), content.dismissLabel));

  const show = (question: SurveyQuestion): void => {
    current = question;
    form.replaceChildren();
    const label = title ? form.appendChild(el('p', 'gp-q', text(question.text, ''))) : form.appendChild(frame.heading(text(question.text, '')));
    if (title) label.id = `gp-q-${frame.id}`;
    const name = `gp-${frame.id}-${question.id}`;
    const last = questions[questions.length - 1] === question;
    const next = frame.button(last ? text(content.submitLabel, 'Send') : text(content.nextLabel, 'Next'), 'gp-primary', () => undefined);
    next.type = 'submit';
    let read: () => SurveyAnswer = () => null;
    const scale = scaleOf(question);
    const inputs: HTMLInputElement[] = [];
    const option = (parent: HTMLElement, type: 'radio' | 'checkbox', value: string, shown: string, className: string, accessibleName?: string): HTMLInputElement => {
      const wrap = parent.appendChild(el('label', className));
      const input = wrap.appendChild(el('input'));
      Object.assign(input, { type, name, value });
      if (accessibleName) input.setAttribute('aria-label', accessibleName);
      wrap.append(el('span', '', shown));
      inputs.push(input);
      return input;
    };
    if (scale) {
      const q = question as Extract<SurveyQuestion, { lowLabel: string }>;
      const low = text(q.lowLabel, '');
      const high = text(q.highLabel, '');
      const style = question.type === 'csat' ? obj(question).style : undefined;
      const count = scale.max - scale.min + 1;
      const group = form.appendChild(el('div', `gp-opts${style === 'faces' ? ' gp-faces' : style === 'stars' ? ' gp-stars' : ''}`));
      group.setAttribute('role', 'radiogroup');
      group.setAttribute('aria-labelledby', label.id);
      group.style.setProperty('--n', String(count));
      for (let n = scale.min; n <= scale.max; n++) {
        const end = n === scale.min ? low : n === scale.max ? high : '';
        const shown = style === 'faces' ? (FACES[n - 1] ?? String(n)) : style === 'stars' ? '★' : String(n);
        option(group, 'radio', String(n), shown, 'gp-opt', end ? `${n}, ${end}` : String(n));
      }
      if (low || high) {
        const ends = form.appendChild(el('div', 'gp-ends'));
        ends.setAttribute('aria-hidden', 'true');
        ends.append(el('span', '', low), el('span', '', high));
      }
      read = () => {
        const chosen = inputs.find((i) => i.checked);
        return chosen ? { score: Number(chosen.value) } : null;
      };
      if (style === 'stars') group.onchange = () => inputs.forEach((i) => i.parentElement?.classList.toggle('gp-on', Number(i.value) <= (read() as { score: number } | null ?? { score: 0 }).score));
    } else if (question.type === 'single_choice' || question.type === 'multi_choice') {
      const multi = question.type === 'multi_choice';
      const group = form.appendChild(el('div', 'gp-list'));
      group.setAttribute('role', multi ? 'group' : 'radiogroup');
      group.setAttribute('aria-labelledby', label.id);
      for (const choice of (Array.isArray(question.choices) ? question.choices : []).map(obj)) {
        if (typeof choice.id === 'string') option(group, multi ? 'checkbox' : 'radio', choice.id, text(choice.label, choice.id), '');
      }
      let otherText: HTMLInputElement | null = null;
      const otherLabel = text(obj(question.other).label, '');
      if (otherLabel) {
        const other = option(group, multi ? 'checkbox' : 'radio', OTHER_CHOICE, otherLabel, '');
        otherText = (other.parentElement as HTMLElement).appendChild(el('input'));
        otherText.type = 'text';
        otherText.maxLength = 500;
        otherText.setAttribute('aria-label', otherLabel);
        // Typing an "other" answer chooses "other".
        otherText.oninput = () => {
          other.checked = otherText?.value.trim() !== '' || other.checked;
          update();
        };
      }
      read = () => {
        const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
        if (chosen.length === 0) return null;
        const other = chosen.includes(OTHER_CHOICE) ? otherText?.value.trim() : undefined;
        return { choices: chosen, ...(other && { other }) };
      };
    } else {
      const box = form.appendChild(el('div', 'gp-follow'));
      const area = box.appendChild(el('textarea'));
      area.setAttribute('aria-labelledby', label.id);
      area.maxLength = 2000;
      area.placeholder = text(obj(question).placeholder, '');
      area.oninput = () => update();
      read = () => {
        const value = area.value.trim();
        return value ? { text: value } : null;
      };
    }
    const actions = form.appendChild(el('div', 'gp-actions'));
    actions.append(next);
    const update = (): void => {
      next.disabled = question.optional !== true && read() === null;
      // A radio group is one Tab stop, its checked radio (any while none is), also for the dialog's focus trap.
      const checked = inputs.some((i) => i.type === 'radio' && i.checked);
      for (const input of inputs) if (input.type === 'radio') input.tabIndex = input.checked || !checked ? 0 : -1;
    };
    form.onchange = update;
    update();
    form.onsubmit = (event) => {
      event.preventDefault();
      const answer = read();
      if (answer === null && question.optional !== true) return;
      if (answer !== null) {
        answeredAny = true;
        frame.emit(SURVEY_ANSWERED, answerProperties(question, answer, responseId, frame.locale));
      }
      const to = nextQuestionId(survey, question.id, answer);
      const following = questions.find((q) => q.id === to);
      if (to === SURVEY_END || !following) {
        frame.onDismiss = () => {};
        closedEvent(true);
        thankYou(frame, text(content.thankYou, 'Thank you for your feedback!'));
      } else {
        show(following);
        if (!frame.inline) (form.querySelector<HTMLElement>('input,textarea') ?? dialog).focus({ preventScroll: true });
      }
    };
  };
  show(current);
}

/** survey_answered's properties for one answer (SurveyAnsweredProperties, without message_id, added by the frame). */
function answerProperties(question: SurveyQuestion, answer: NonNullable<SurveyAnswer>, responseId: string, locale: string): Content {
  const properties: Content = { response_id: responseId, question_id: question.id, question_type: question.type, survey: surveyTag(question.type), locale };
  if ('score' in answer) properties.score = answer.score;
  else if ('text' in answer) properties.text = answer.text;
  else {
    if (question.type === 'single_choice') properties.choice = answer.choices[0];
    else properties.choices = answer.choices;
    if (answer.other) properties.text = answer.other;
  }
  return properties;
}

function drawBanner(frame: Frame): void {
  const { dialog, content, wrap } = frame;
  beside(frame, 'gp-bar');
  // A bar on the page, not a dialog: a region named by its text.
  dialog.setAttribute('role', 'region');
  dialog.removeAttribute('aria-modal');
  dialog.removeAttribute('tabindex');
  if (content.position === 'bottom') {
    wrap.classList.add('gp-bottom');
    sharesBottom(frame, bottomBars);
  }
  const body = dialog.appendChild(el('div', 'gp-body'));
  body.id = `gp-title-${frame.id}`;
  renderMarkdown(body, content.text);
  const cta = callToAction(frame, obj(content.cta), 'gp-btn gp-primary');
  if (cta) dialog.append(cta);
  dialog.append(labelled(frame.closeButton(), content.dismissLabel));
}

function drawSlideout(frame: Frame): void {
  beside(frame, 'gp-corner');
  if (frame.content.corner === 'bottom-left') frame.wrap.classList.add('gp-start');
  sharesBottom(frame, corners);
  drawModal(frame);
}

/** How each kind is drawn: whether it blocks the page, and its drawing. */
const KINDS: Record<string, [boolean, (frame: Frame) => void]> = {
  modal: [true, drawModal],
  nps: [true, drawNps],
  survey: [true, drawSurvey],
  banner: [false, drawBanner],
  slideout: [false, drawSlideout],
};

/**
 * Any of the five kinds, in the language `options.locale` asks for (else the browser's): a modal, an
 * NPS survey or a multi-question survey blocks the page; a banner sits at the top or bottom of the page
 * (content.position) and a slideout in a corner (content.corner), neither taking focus. Null for an
 * unknown kind or content that cannot be drawn (a survey without questions).
 */
export const renderAnyMessage: Render = (container, message, handlers = {}, options = {}) => {
  const kind = KINDS[String(message?.kind)];
  const localized = localize(message, options.locale);
  const draw = (frame: Frame): void => {
    frame.wrap.prepend(el('style', '', KINDS_CSS));
    // The language shown, for screen readers' pronunciation; right to left, the layout mirrors.
    frame.wrap.lang = frame.locale;
    if (frame.rtl) frame.wrap.dir = 'rtl';
    // Every answer records the language it was given in; an NPS survey's too once it names its language or
    // has translations (one in the default language alone keeps the wire shape it always had).
    const emit = frame.emit;
    const content = obj(message.content);
    const named = content.locale !== undefined || content.translations !== undefined;
    frame.emit = (name, extra) => emit(name, name === SURVEY_ANSWERED && message.kind === 'nps' && named ? { ...extra, locale: frame.locale } : extra);
    kind?.[1](frame);
  };
  return kind ? renderFrame(container, message, handlers, options, kind[0], draw, localized) : null;
};

/** Each kind on its own, for a caller that knows which it draws. */
export const renderSurvey: Render = (container, message, ...rest) => renderAnyMessage(container, { ...message, kind: 'survey' }, ...rest);
export const renderBanner: Render = (container, message, ...rest) => renderAnyMessage(container, { ...message, kind: 'banner' }, ...rest);
export const renderSlideout: Render = (container, message, ...rest) => renderAnyMessage(container, { ...message, kind: 'slideout' }, ...rest);
