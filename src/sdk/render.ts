/**
 * Renders a message (the upsell modal or the NPS survey) as DOM nodes: never innerHTML, so authored
 * content is always text, and links and the call to action take only http(s) URLs. Importable on its
 * own: the SDK shows messages with it, and the companion's preview uses the very same code.
 *
 * Accessibility: role=dialog, aria-modal, aria-labelledby the title; focus moves into the dialog,
 * Tab cycles inside it, Esc closes, and focus goes back to where it was. The NPS scale is a
 * radiogroup with a roving tab stop (arrows, Home/End; Enter or Space confirms).
 *
 * Bad content never throws: missing or mistyped fields fall back to defaults, an unknown kind
 * renders nothing.
 */
import { parseMarkdown, safeUrl, type Inline } from './markdown';
import { CSS } from './styles';

/** What decide returns per message (only id, kind and content are needed). */
export interface SdkMessage {
  id: string | number;
  kind: string;
  content?: unknown;
  version?: number;
  [field: string]: unknown;
}

export type MessageEventName = 'message_shown' | 'message_dismissed' | 'message_clicked' | 'survey_answered';

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
}

export interface RenderedMessage {
  /** Closes as a dismissal would, without sending an event. */
  close(): void;
}

export interface MountedMessage extends RenderedMessage {
  host: HTMLElement;
  root: ShadowRoot;
}

type Content = Record<string, unknown>;

let serial = 0;

const obj = (value: unknown): Content => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Content) : {});
/** Authored text, or the default when it is missing, empty or not a string. */
const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.trim() ? value.slice(0, 1000) : fallback);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, content?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content) node.textContent = content;
  return node;
}

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

/**
 * Renders `message` into `container` (a shadow root, normally) and returns a handle, or null when
 * there is nothing to render (an unknown kind, or content that could not be drawn).
 */
export function renderMessage(
  container: HTMLElement | ShadowRoot,
  message: SdkMessage,
  handlers: RenderHandlers = {},
  options: RenderOptions = {},
): RenderedMessage | null {
  const kind = message?.kind;
  if (kind !== 'modal' && kind !== 'nps') return null;
  const id = ++serial;
  const content = obj(message.content);
  const base: Record<string, unknown> = { message_id: String(message.id) };
  if (typeof message.version === 'number') base.message_version = message.version;
  const emit = (name: MessageEventName, extra?: Content): void => {
    try {
      handlers.onEvent?.(name, { ...base, ...extra });
    } catch {
      // A failing handler must not leave a dialog that cannot be closed.
    }
  };

  const style = el('style', '', CSS);
  const wrap = el('div', options.inline ? 'gp-wrap gp-inline' : 'gp-wrap');
  if (options.theme === 'light' || options.theme === 'dark') wrap.dataset.theme = options.theme;
  const dialog = wrap.appendChild(el('div', `gp-dialog gp-${kind}`));
  dialog.tabIndex = -1;
  const titleId = `gp-title-${id}`;
  Object.entries({ role: 'dialog', 'aria-modal': String(!options.inline), 'aria-labelledby': titleId }).forEach(([k, v]) => dialog.setAttribute(k, v));
  const previous = options.inline ? null : activeElement();
  let closed = false;
  let acted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** What closing without an explicit action records (the survey: an answer once a score is chosen). */
  let onDismiss = (): void => emit('message_dismissed');

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    wrap.remove();
    style.remove();
    if (previous?.isConnected) previous.focus({ preventScroll: true });
    try {
      handlers.onClose?.();
    } catch {
      // The dialog is gone either way.
    }
  };
  const dismiss = (): void => {
    if (closed) return;
    onDismiss();
    close();
  };
  const heading = (value: string): HTMLHeadingElement => {
    const h = el('h2', 'gp-title', value);
    h.id = titleId;
    return h;
  };
  const closeButton = (): HTMLButtonElement => {
    const x = el('button', 'gp-x', '×');
    x.type = 'button';
    x.setAttribute('aria-label', text(content.closeLabel, 'Close'));
    x.onclick = dismiss;
    return x;
  };
  const button = (label: string, className: string, onClick: () => void): HTMLButtonElement => {
    const b = el('button', `gp-btn ${className}`, label);
    b.type = 'button';
    b.onclick = onClick;
    return b;
  };

  try {
    if (kind === 'modal') {
      const image = safeUrl(content.imageUrl);
      if (image) {
        const img = dialog.appendChild(el('img', 'gp-img'));
        img.src = image;
        img.alt = text(content.imageAlt, '');
        img.onerror = () => img.remove();
      }
      dialog.append(heading(text(content.title, '')));
      const body = dialog.appendChild(el('div', 'gp-body'));
      body.id = `gp-body-${id}`;
      dialog.setAttribute('aria-describedby', body.id);
      renderMarkdown(body, content.body);
      const actions = dialog.appendChild(el('div', 'gp-actions'));
      actions.append(button(text(content.dismissLabel, 'Not now'), 'gp-ghost', dismiss));
      const cta = obj(content.cta);
      const label = text(cta.label, '');
      if (label) {
        const url = safeUrl(cta.url);
        const clicked = (): void => {
          if (closed || acted) return;
          acted = true;
          onDismiss = () => {};
          emit('message_clicked');
          // Closed after the click has run: a link that is no longer in the document does not navigate.
          timer = setTimeout(close);
        };
        if (url) {
          const link = actions.appendChild(el('a', 'gp-btn gp-primary', label));
          link.href = url;
          if (cta.newTab === true) Object.assign(link, { target: '_blank', rel: 'noopener noreferrer' });
          link.onclick = clicked;
        } else actions.append(button(label, 'gp-primary', clicked));
      }
    } else {
      renderSurvey();
    }
    dialog.append(closeButton());
  } catch {
    return null;
  }

  function renderSurvey(): void {
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
    followText.id = `gp-follow-${id}`;
    const comment = follow.appendChild(el('textarea'));
    comment.setAttribute('aria-labelledby', followText.id);
    comment.maxLength = 2000;
    const send = button(text(content.submitLabel, 'Send'), 'gp-primary', () => submit());
    const actions = el('div', 'gp-actions');
    actions.append(send);
    let score = -1;
    let answered = false;
    const answer = (): void => {
      if (answered || score < 0) return;
      answered = true;
      emit('survey_answered', { survey: 'nps', score, comment: comment.value.trim() });
    };
    onDismiss = () => (score < 0 ? emit('message_dismissed') : answer());

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
      const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: 10 }[event.key];
      if (at < 0 || to === undefined) return;
      event.preventDefault();
      const n = (to + 11) % 11;
      select(n);
      radios[n]?.focus();
    };
    function submit(): void {
      answer();
      dialog.replaceChildren();
      const done = dialog.appendChild(el('div', 'gp-done'));
      done.append(el('div', 'gp-check', '✓'), heading(text(content.thankYou, 'Thank you for your feedback!')));
      done.firstElementChild?.setAttribute('aria-hidden', 'true');
      const x = closeButton();
      dialog.append(x);
      (options.inline ? dialog : x).focus({ preventScroll: true });
      if (!options.inline) timer = setTimeout(close, 4000);
    }
  }

  if (!options.inline) {
    wrap.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        dismiss();
      } else if (event.key === 'Tab') {
        const tabbable = Array.from(dialog.querySelectorAll<HTMLElement>('a[href],button,textarea')).filter(
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
    // A click on the backdrop dismisses; one that started inside the dialog (selecting text) does not.
    let downOnBackdrop = false;
    wrap.onpointerdown = (event) => (downOnBackdrop = event.target === wrap);
    wrap.onclick = (event) => {
      if (downOnBackdrop && event.target === wrap) dismiss();
    };
  }

  container.append(style, wrap);
  emit('message_shown');
  if (!options.inline) dialog.focus({ preventScroll: true });
  return { close };
}

/**
 * Shows a message over the page: a fresh <guidepost-message> element at the end of <body> with an
 * open shadow root, shown in the top layer where the browser has one, removed again when the message
 * closes.
 */
export function mountMessage(message: SdkMessage, handlers: RenderHandlers = {}, options: RenderOptions = {}): MountedMessage | null {
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
  const rendered = renderMessage(
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
