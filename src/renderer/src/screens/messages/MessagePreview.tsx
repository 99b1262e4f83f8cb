import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AudienceCheck, MessageDraft } from '../../../../shared/messages/model';
import { renderAnyMessage } from '../../../../sdk/kinds';
import { api } from '../../lib/api';
import { formatDateTime, formatNumber, percent } from '../../lib/format';
import { useLatest } from '../../lib/useLatest';
import { useResolvedTheme } from '../../lib/theme';
import { useApp } from '../../store';
import { SegmentedChoice, type Choice } from '../../ui/SegmentedChoice';
import { useBusyStep } from '../../ui/useBusyStep';
import { directionOf, draftLocales, languageName } from './languages';
import { previewMessage } from './model';
import { PreviewOutline } from './PreviewOutline';

type Width = 'desktop' | 'narrow';
type Theme = 'light' | 'dark';

const THEMES: Choice<Theme>[] = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];
const WIDTHS: Choice<Width>[] = [
  { value: 'desktop', label: 'Desktop' },
  { value: 'narrow', label: 'Phone (375 px)' },
];

/**
 * The message drawn by the SDK's own renderer, inside an iframe so the SDK's narrow-screen layout
 * (a media query on the viewport) applies at the narrow width just as on a phone. Authored text only
 * ever becomes DOM text nodes: render.ts never writes HTML.
 */
/** Kinds whose outline is shown beside the drawing. */
const OUTLINED = new Set(['survey', 'banner', 'slideout']);

export function MessagePreview({ draft, valid }: { draft: MessageDraft; valid: boolean }) {
  const appTheme = useResolvedTheme(useApp((s) => s.theme));
  const [theme, setTheme] = useState<Theme>(appTheme);
  const [width, setWidth] = useState<Width>('desktop');
  const [replay, setReplay] = useState(0);
  const [closed, setClosed] = useState(false);
  /** Whether the SDK's renderer drew the draft (a survey without questions cannot be drawn): the outline stands in. */
  const [drawn, setDrawn] = useState(true);
  const [language, setLanguage] = useState<string | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const locales = draftLocales(draft);
  const shown = language !== null && locales.includes(language) ? language : (locales[0] as string);
  const dir = directionOf(shown);
  const message = previewMessage(draft, shown);
  const key = JSON.stringify(message);

  useEffect(() => {
    const doc = frame.current?.contentDocument;
    if (!doc?.body) return;
    let host = doc.getElementById('gp-preview-host');
    if (!host) {
      doc.documentElement.style.height = '100%';
      Object.assign(doc.body.style, { margin: '0', height: '100%' });
      host = doc.createElement('div');
      host.id = 'gp-preview-host';
      Object.assign(host.style, { position: 'relative', height: '100%' });
      host.attachShadow({ mode: 'open' });
      doc.body.append(host);
    }
    doc.body.style.background = theme === 'dark' ? '#0f1012' : '#eef0f4';
    // The language shown, and its direction: right-to-left text is laid out from the right.
    Object.assign(doc.documentElement, { lang: shown, dir });
    Object.assign(host, { lang: shown, dir });
    const root = host.shadowRoot;
    if (!root) return;
    root.replaceChildren();
    setClosed(false);
    const rendered = renderAnyMessage(root, JSON.parse(key) as ReturnType<typeof previewMessage>, { onClose: () => setClosed(true) }, { inline: true, theme, locale: shown });
    setDrawn(rendered !== null);
    return () => rendered?.close();
  }, [key, theme, width, replay, shown, dir]);

  return (
    <section className="card msg-preview" aria-labelledby="msg-preview-title">
      <header className="card-header">
        <div>
          <h3 id="msg-preview-title">Preview</h3>
          <p className="muted">Drawn by the SDK’s own renderer, as users will see it.</p>
        </div>
      </header>
      <div className="row">
        <SegmentedChoice<Theme> name="preview-theme" label="Preview theme" options={THEMES} value={theme} onChange={setTheme} />
        <SegmentedChoice<Width> name="preview-width" label="Preview width" options={WIDTHS} value={width} onChange={setWidth} />
        {locales.length > 1 ? (
          <label className="inline-label">
            <span>Language</span>
            <select value={shown} onChange={(e) => setLanguage(e.target.value)} data-testid="preview-language">
              {locales.map((l, i) => (
                <option key={l} value={l}>
                  {languageName(l)}
                  {i === 0 ? ' — default' : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <span className="spacer" />
        {closed && drawn ? (
          <button type="button" className="ghost small" onClick={() => setReplay(replay + 1)}>
            Show again
          </button>
        ) : null}
      </div>
      <div className={`preview-stage ${width}`}>
        <iframe ref={frame} title="Message preview" className="preview-frame" data-testid="message-preview" hidden={!drawn} />
        {/* Beside the drawing, what the SDK shows one step at a time: every question and where it leads, or where a banner or slideout sits. */}
        {!drawn || OUTLINED.has(message.kind) ? <PreviewOutline kind={message.kind} content={message.content} locale={shown} dir={dir} /> : null}
      </div>
      <AudiencePanel draft={draft} valid={valid} />
    </section>
  );
}

/** "Who would see this now": the target's size from the cache, and one named user's check with the reasons. */
function AudiencePanel({ draft, valid }: { draft: MessageDraft; valid: boolean }) {
  const dataVersion = useApp((s) => s.dataVersion);
  // The backend counts only a valid message: while a field is wrong there is nothing to ask.
  const key = valid ? JSON.stringify([draft.target, draft.schedule, draft.rollout, draft.environment, dataVersion]) : null;
  const audience = useLatest<AudienceCheck>(key, () => api.messageAudience({ message: draft }), 400);
  const [userId, setUserId] = useState('');
  const [check, setCheck] = useState<AudienceCheck['user'] | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  const { busy, run } = useBusyStep((message) => {
    setCheckError(message);
    setCheck(null);
  });

  const ask = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const id = userId.trim();
    if (!id) return;
    const answer = await run(() => api.messageAudience({ message: draft, userId: id }));
    if (!answer) return;
    setCheck(answer.user ?? null);
    setCheckError(null);
  };

  const value = audience.result?.value;
  return (
    <div className="audience" aria-labelledby="msg-audience-title">
      <h4 id="msg-audience-title">Who would see this now</h4>
      {!valid ? (
        <p className="muted small-text">Fix the marked fields to count who would see it.</p>
      ) : audience.error && audience.error.key === key ? (
        <p className="error-text small-text">{audience.error.message}</p>
      ) : value ? (
        <p className={audience.pending ? 'audience-figure stale' : 'audience-figure'} data-testid="audience-count" aria-live="polite">
          <strong>{formatNumber(value.count)}</strong> {value.count === 1 ? 'user' : 'users'}
          <span className="muted">
            {' '}
            · {percent(value.count, value.total)} of {formatNumber(value.total)} · as of {formatDateTime(value.asOf)}
          </span>
        </p>
      ) : (
        <p className="muted small-text">Counting…</p>
      )}
      <form className="row" onSubmit={(e) => void ask(e)} aria-label="Check one user">
        <label className="inline-label">
          <span className="visually-hidden">User id</span>
          <input type="text" placeholder="user id, e.g. u_123" spellCheck={false} value={userId} onChange={(e) => setUserId(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !valid || !userId.trim()}>
          Would they see it?
        </button>
      </form>
      {checkError ? <p className="error-text small-text">{checkError}</p> : null}
      {check ? (
        <div className={check.wouldSee ? 'user-check yes' : 'user-check no'} data-testid="user-check" role="status">
          <strong>{check.wouldSee ? `Yes: ${check.userId} would see it.` : `No: ${check.userId} would not see it.`}</strong>
          {check.reasons.length > 0 ? (
            <ul>
              {check.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
          {check.notes.map((n) => (
            <p key={n} className="muted small-text">
              {n}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}
