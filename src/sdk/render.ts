/**
 * Renders a message as DOM nodes: never innerHTML, so authored content is always text, and links and
 * the call to action take only http(s) URLs. Importable on its own: the SDK shows messages with it,
 * and the companion's preview uses the very same code. This file is the core's: the frame every kind
 * draws into (renderFrame), and the upsell modal and the NPS survey; the other kinds and every
 * translated message (kinds.ts) are a chunk the core loads when it needs them, drawn into the same frame.
 *
 * Accessibility: role=dialog, aria-labelledby the title. A blocking message (aria-modal) takes the
 * focus, Tab cycles inside it, Esc closes, and focus goes back to where it was; a slideout and a
 * banner neither take nor trap focus, and Esc still closes them. The NPS scale is a radiogroup with a
 * roving tab stop (arrows, Home/End; Enter or Space confirms). A thank-you is said by a live region.
 * A right-to-left language renders with dir=rtl, and the layout (logical CSS properties) mirrors.
 *
 * Bad content never throws: missing or mistyped fields fall back to defaults, an unknown kind
 * renders nothing.
 */
import { parseMarkdown, safeUrl, type Inline } from './markdown';
import { CSS } from './styles';
import { el, obj, text, type Content } from './dom';
export type { Content } from './dom';

/** What decide returns per message (only id, kind and content are needed). */
export interface SdkMessage {
  id: string | number;
  kind: string;
  content?: unknown;
  version?: number;
  [field: string]: unknown;
}

export type MessageEventName = 'message_shown' | 'message_dismissed' | 'message_clicked' | 'survey_answered' | 'survey_closed';

export interface RenderHandlers {
  /** Every event the message produces, with `message_id` (and `message_version`) in its properties. */
  onEvent?: (name: MessageEventName, properties: Record<string, unknown>) => void;
  /** The message has left the screen. */
  onClose?: () => void;
}

export interface RenderOptions {
  /** 'auto' (default) follows prefers-color-scheme. */
  theme?: 'auto' | 'light' | 'dark';
  /**
   * Drawn inside the container (positioned absolutely: give it position: relative) instead of over
   * the page, without taking focus or trapping it: the companion's preview.
   */
  inline?: boolean;
  /**
   * The language wanted (a BCP 47 tag, or several in order of preference): a message with
   * translations is shown in the first it has (kinds.ts, localize). Default: the browser's languages.
   */
  locale?: string | readonly string[];
}

export interface RenderedMessage {
  /** Closes as a dismissal would, without sending an event. */
  close(): void;
}

export interface MountedMessage extends RenderedMessage {
  host: HTMLElement;
  root: ShadowRoot;
}


let serial = 0;



function appendInline(parent: HTMLElement, nodes: readonly Inline[]): void {
  for (const node of nodes) {
    if (typeof node === 'string') parent.append(node);
    else if (node.t === 'code') parent.append(el('code', '', node.v));
    else {
      const child = el(node.t === 'b' ? 'strong' : node.t === 'i' ? 'em' : 'a');
      if (node.t === 'a') Object.assign(child, { href: node.href, target: '_blank', rel: 'noopener noreferrer' });
      appendInline(child, node.c);
      parent.append(child);
    }
  }
}

/** The message body: the markdown subset, as nodes. */
export function renderMarkdown(parent: HTMLElement, source: unknown): void {
  for (const block of parseMarkdown(source)) {
    if (block.t === 'p') appendInline(parent.appendChild(el('p')), block.c);
    else {
      const list = parent.appendChild(el('ul'));
      for (const item of block.items) appendInline(list.appendChild(el('li')), item);
    }
  }
}

/** The focused element, looking into shadow roots (a focused shadow host is not where focus is). */
function activeElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active as HTMLElement | null;
}

function category(score: number): 'promoter' | 'passive' | 'detractor' {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

/** The locale a message is shown in, its content in that language, and whether it reads right to left. */
export interface Localized {
  content: Content;
  locale: string;
  rtl: boolean;
}

/**
 * A message shown as written, in no particular language: the core draws only messages without
 * translations; one with translations goes to the kinds chunk, whose localize picks the language and
 * marks it on the message (kinds.ts).
 */
export function asWritten(message: SdkMessage): Localized {
  return { content: obj(message?.content), locale: '', rtl: false };
}

/** What a kind's drawing gets from the frame it draws into. */
export interface Frame extends Localized {
  id: number;
  inline: boolean;
  /** The card: role=dialog (a banner makes it a labelled region). */
  dialog: HTMLElement;
  /** What positions the card (the backdrop, for a blocking message). */
  wrap: HTMLElement;
  emit(name: MessageEventName, extra?: Content): void;
  /** Closes without an event (after an answer or a click). */
  close(): void;
  /** Closes as the user dismissing it: runs `onDismiss` first. */
  dismiss(): void;
  /** What dismissing records; replace it (a survey records its answer or its close). */
  onDismiss: () => void;
  /** The heading that names the card (aria-labelledby). */
  heading(value: string): HTMLHeadingElement;
  /** The × button; its accessible name is content.closeLabel, else 'Close'. */
  closeButton(): HTMLButtonElement;
  button(label: string, className: string, onClick: () => void): HTMLButtonElement;
  /** Runs `fn` after `ms` unless the frame closed first. */
  later(fn: () => void, ms?: number): void;
}

/**
 * Draws one message into `container` and returns its handle, or null when `draw` throws. The frame
 * brings the shared behaviour: the shadow stylesheet, theme, Esc, and when
 * `blocking` the backdrop, the focus it takes, traps and gives back. A frame that does not block (a
 * slideout, a banner: kinds.ts) neither takes nor traps focus.
 */
export function renderFrame(
  container: HTMLElement | ShadowRoot,
  message: SdkMessage,
  handlers: RenderHandlers,
  options: RenderOptions,
  blocking: boolean,
  draw: (frame: Frame) => void,
  localized = asWritten(message),
): RenderedMessage | null {
  const id = ++serial;
  const inline = options.inline === true;
  const base: Content = { message_id: String(message.id) };
  if (typeof message.version === 'number') base.message_version = message.version;
  const style = el('style', '', CSS);
  const wrap = el('div', inline ? 'gp-wrap gp-inline' : 'gp-wrap');
  if (options.theme === 'light' || options.theme === 'dark') wrap.dataset.theme = options.theme;
  const dialog = wrap.appendChild(el('div', `gp-dialog gp-${message.kind}`));
  const titleId = `gp-title-${id}`;
  const previous = blocking && !inline ? activeElement() : null;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame: Frame = {
    ...localized,
    id,
    inline,
    dialog,
    wrap,
    emit: (name, extra) => {
      try {
        handlers.onEvent?.(name, { ...base, ...extra });
      } catch {
        // A failing handler must not leave a message that cannot be closed.
      }
    },
    close: () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      wrap.remove();
      style.remove();
      if (previous?.isConnected) previous.focus({ preventScroll: true });
      try {
        handlers.onClose?.();
      } catch {
        // The message is gone either way.
      }
    },
    dismiss: () => {
      if (closed) return;
      frame.onDismiss();
      frame.close();
    },
    onDismiss: () => frame.emit('message_dismissed'),
    heading: (value) => {
      const h = el('h2', 'gp-title', value);
      h.id = titleId;
      return h;
    },
    closeButton: () => {
      const x = frame.button('×', 'gp-x', frame.dismiss);
      x.className = 'gp-x';
      x.setAttribute('aria-label', text(frame.content.closeLabel, 'Close'));
      return x;
    },
    button: (label, className, onClick) => {
      const b = el('button', `gp-btn ${className}`, label);
      b.type = 'button';
      b.onclick = onClick;
      return b;
    },
    later: (fn, ms) => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    },
  };
  dialog.tabIndex = -1;
  Object.entries({ role: 'dialog', 'aria-modal': String(blocking && !inline), 'aria-labelledby': titleId }).forEach(([k, v]) => dialog.setAttribute(k, v));
  // The live region is there before anything is said in it, so screen readers announce the thank-you.
  dialog.appendChild(el('div', 'gp-sr')).setAttribute('role', 'status');
  try {
    draw(frame);
  } catch {
    return null;
  }
  if (!inline) {
    wrap.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        frame.dismiss();
      } else if (event.key === 'Tab' && blocking) {
        const tabbable = Array.from(dialog.querySelectorAll<HTMLElement>('a[href],button,textarea,input')).filter(
          (node) => node.tabIndex >= 0 && node.getClientRects().length > 0,
        );
        const first = tabbable[0];
        const last = tabbable[tabbable.length - 1];
        const at = tabbable.indexOf(activeElement() as HTMLElement);
        if (!first || !last) event.preventDefault();
        else if (event.shiftKey ? at <= 0 : at === tabbable.length - 1) {
          event.preventDefault();
          (event.shiftKey ? last : first).focus();
        }
      }
    });
    if (blocking) {
      // A click on the backdrop dismisses; one that started inside the dialog (selecting text) does not.
      let downOnBackdrop = false;
      wrap.onpointerdown = (event) => (downOnBackdrop = event.target === wrap);
      wrap.onclick = (event) => {
        if (downOnBackdrop && event.target === wrap) frame.dismiss();
      };
    }
  }
  container.append(style, wrap);
  frame.emit('message_shown');
  if (blocking && !inline) dialog.focus({ preventScroll: true });
  return { close: frame.close };
}

/**
 * Renders `message` (modal or nps, the kinds the core SDK draws) into `container` (a shadow root,
 * normally) and returns a handle, or null when there is nothing to render (another kind, or content
 * that could not be drawn). kinds.ts draws the others.
 */
export function renderMessage(
  container: HTMLElement | ShadowRoot,
  message: SdkMessage,
  handlers: RenderHandlers = {},
  options: RenderOptions = {},
): RenderedMessage | null {
  const kind = message?.kind;
  if (kind !== 'modal' && kind !== 'nps') return null;
  return renderFrame(container, message, handlers, options, true, kind === 'modal' ? drawModal : drawNps);
}

/** The modal's content (title, markdown body, optional image, call to action): the modal and the slideout. */
export function drawModal(frame: Frame): void {
  const { dialog, content, heading, button, closeButton } = frame;
  const image = safeUrl(content.imageUrl);
  if (image) {
    const img = dialog.appendChild(el('img', 'gp-img'));
    img.src = image;
    img.alt = text(content.imageAlt, '');
    img.onerror = () => img.remove();
  }
  dialog.append(heading(text(content.title, '')));
  const body = dialog.appendChild(el('div', 'gp-body'));
  body.id = `gp-body-${frame.id}`;
  dialog.setAttribute('aria-describedby', body.id);
  renderMarkdown(body, content.body);
  const actions = dialog.appendChild(el('div', 'gp-actions'));
  actions.append(button(text(content.dismissLabel, 'Not now'), 'gp-ghost', frame.dismiss));
  const cta = callToAction(frame, obj(content.cta), 'gp-btn gp-primary');
  if (cta) actions.append(cta);
  dialog.append(closeButton());
}

/**
 * The call to action: a link to its http(s) URL, or a button for a product action; null without a
 * label. A click records message_clicked (not a dismissal) and closes the message.
 */
export function callToAction(frame: Frame, cta: Content, className: string): HTMLElement | null {
  const label = text(cta.label, '');
  if (!label) return null;
  const url = safeUrl(cta.url);
  let acted = false;
  const clicked = (): void => {
    if (acted) return;
    acted = true;
    frame.onDismiss = () => {};
    frame.emit('message_clicked');
    // Closed after the click has run: a link that is no longer in the document does not navigate.
    frame.later(frame.close);
  };
  if (!url) return frame.button(label, className.replace('gp-btn ', ''), clicked);
  const link = el('a', className, label);
  link.href = url;
  if (cta.newTab === true) Object.assign(link, { target: '_blank', rel: 'noopener noreferrer' });
  link.onclick = clicked;
  return link;
}

/** The thank-you step: a check mark and the text, announced by the live region; closes after 4 s. */
export function thankYou(frame: Frame, value: string): void {
  const { dialog } = frame;
  const live = dialog.querySelector('.gp-sr') as HTMLElement;
  dialog.replaceChildren(live);
  live.textContent = value;
  const done = dialog.appendChild(el('div', 'gp-done'));
  done.append(el('div', 'gp-check', '✓'), frame.heading(value));
  done.firstElementChild?.setAttribute('aria-hidden', 'true');
  const x = frame.closeButton();
  dialog.append(x);
  (frame.inline ? dialog : x).focus({ preventScroll: true });
  if (!frame.inline) frame.later(frame.close, 4000);
}

export function drawNps(frame: Frame): void {
  const { dialog, content, heading, button, closeButton, emit } = frame;
  const question = dialog.appendChild(heading(text(content.question, 'How likely are you to recommend us to a friend or colleague?')));
  const low = text(content.lowLabel, 'Not at all likely');
  const high = text(content.highLabel, 'Extremely likely');
  const followUps = obj(content.followUp);
  const scale = dialog.appendChild(el('div', 'gp-scale'));
  scale.setAttribute('role', 'radiogroup');
  scale.setAttribute('aria-labelledby', question.id);
  const ends = dialog.appendChild(el('div', 'gp-ends'));
  ends.setAttribute('aria-hidden', 'true');
  ends.append(el('span', '', low), el('span', '', high));
  const follow = el('label', 'gp-follow');
  const followText = follow.appendChild(el('span'));
  followText.id = `gp-follow-${frame.id}`;
  const comment = follow.appendChild(el('textarea'));
  comment.setAttribute('aria-labelledby', followText.id);
  comment.maxLength = 2000;
  const actions = el('div', 'gp-actions');
  actions.append(button(text(content.submitLabel, 'Send'), 'gp-primary', submit));
  dialog.append(closeButton());
  let score = -1;
  let answered = false;
  const answer = (): void => {
    if (answered || score < 0) return;
    answered = true;
    // The wire shape SDKs already on customers' pages send (a translated survey adds `locale`: kinds.ts).
    emit('survey_answered', { survey: 'nps', score, comment: comment.value.trim() });
  };
  frame.onDismiss = () => (score < 0 ? emit('message_dismissed') : answer());

  const radios = Array.from({ length: 11 }, (_, n) => {
    const radio = scale.appendChild(el('button', '', String(n)));
    radio.type = 'button';
    radio.setAttribute('role', 'radio');
    radio.setAttribute('aria-checked', 'false');
    radio.tabIndex = n === 0 ? 0 : -1;
    if (n === 0 || n === 10) radio.setAttribute('aria-label', `${n}, ${n === 0 ? low : high}`);
    radio.onclick = () => {
      select(n);
      comment.focus();
    };
    return radio;
  });
  const select = (n: number): void => {
    score = n;
    radios.forEach((r, i) => {
      r.setAttribute('aria-checked', String(i === n));
      r.tabIndex = i === n ? 0 : -1;
    });
    const group = category(n);
    followText.textContent = text(
      followUps[group],
      group === 'promoter' ? 'What do you like most?' : group === 'passive' ? 'What would make it even better?' : 'What could we do better?',
    );
    if (!follow.isConnected) scale.after(ends, follow, actions);
  };
  scale.onkeydown = (event) => {
    const at = radios.indexOf(event.target as HTMLButtonElement);
    // Right to left, the scale runs from the right: ArrowLeft moves up.
    const step = frame.rtl ? -1 : 1;
    const to = { ArrowRight: at + step, ArrowDown: at + 1, ArrowLeft: at - step, ArrowUp: at - 1, Home: 0, End: 10 }[event.key];
    if (at < 0 || to === undefined) return;
    event.preventDefault();
    const n = (to + 11) % 11;
    select(n);
    radios[n]?.focus();
  };
  function submit(): void {
    answer();
    thankYou(frame, text(content.thankYou, 'Thank you for your feedback!'));
  }
}

/**
 * Shows a message over the page: a fresh <guidepost-message> element at the end of <body> with an
 * open shadow root, shown in the top layer where the browser has one, removed again when the message
 * closes.
 */
export function mountMessage(message: SdkMessage, handlers: RenderHandlers = {}, options: RenderOptions = {}, render: typeof renderMessage = renderMessage): MountedMessage | null {
  const host = document.createElement('guidepost-message');
  const root = host.attachShadow({ mode: 'open' });
  (document.body ?? document.documentElement).append(host);
  try {
    // The top layer: above every z-index, and out of reach of an ancestor's transform or overflow.
    host.popover = 'manual';
    host.showPopover();
  } catch {
    // No popover API: position: fixed and the highest z-index do the job, mostly.
  }
  const rendered = render(
    root,
    message,
    {
      ...handlers,
      onClose: () => {
        host.remove();
        handlers.onClose?.();
      },
    },
    { ...options, inline: false },
  );
  if (!rendered) host.remove();
  return rendered && { ...rendered, host, root };
}
