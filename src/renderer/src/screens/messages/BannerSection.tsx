/**
 * The two kinds that do not block the page: the banner (a line of text at the top or bottom, an
 * optional call to action) and the slideout (the modal's content in a corner card).
 */
import { BANNER_POSITIONS, SLIDEOUT_CORNERS, type BannerContent, type SlideoutContent } from '../../../../shared/messages/model';
import { ChoiceField, InputField, IssueField, type SectionProps } from './editor-fields';
import { defaultBanner, defaultSlideout } from './model';
import { CtaFields, MARKDOWN_HINT, merged, ModalFields } from './ModalFields';

const POSITION_LABELS: Record<BannerContent['position'], string> = { top: 'Top of the page', bottom: 'Bottom of the page' };
const CORNER_LABELS: Record<SlideoutContent['corner'], string> = { 'bottom-right': 'Bottom right', 'bottom-left': 'Bottom left' };

export function BannerSection({ draft, edit }: SectionProps) {
  const banner = draft.banner ?? defaultBanner();
  const set = (change: Partial<BannerContent>): void => edit((d) => ({ ...d, banner: merged(d.banner ?? defaultBanner(), change) }));
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">Banner</h3>
      <p className="muted hint">A strip across the page that does not block it: people read on, and dismiss it when they like.</p>
      <IssueField label="Banner text" path="banner.text" hint={MARKDOWN_HINT}>
        {(c) => <textarea {...c} rows={2} value={banner.text} onChange={(e) => set({ text: e.target.value })} />}
      </IssueField>
      <ChoiceField<BannerContent['position']>
        name="msg-banner-position"
        label="Position"
        options={BANNER_POSITIONS.map((p) => ({ value: p, label: POSITION_LABELS[p] }))}
        value={banner.position}
        onChange={(position) => set({ position })}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={banner.cta !== undefined}
          onChange={(e) => set({ cta: e.target.checked ? { label: 'Learn more', url: 'https://' } : undefined })}
        />
        With a call to action
      </label>
      {banner.cta ? <CtaFields cta={banner.cta} path="banner.cta" onChange={(cta) => set({ cta })} /> : null}
      <InputField label="Dismiss label" path="banner.dismissLabel" hint="The close button’s name for screen readers." value={banner.dismissLabel} onChange={(dismissLabel) => set({ dismissLabel })} />
    </section>
  );
}

export function SlideoutSection({ draft, edit }: SectionProps) {
  const slideout = draft.slideout ?? defaultSlideout();
  const set = (change: Partial<SlideoutContent>): void => edit((d) => ({ ...d, slideout: merged(d.slideout ?? defaultSlideout(), change) }));
  return (
    <section className="card msg-section" aria-labelledby="msg-content">
      <h3 id="msg-content">Slideout</h3>
      <p className="muted hint">A card in a corner with the modal’s content. It does not block the page or take the focus; Esc closes it.</p>
      <ChoiceField<SlideoutContent['corner']>
        name="msg-slideout-corner"
        label="Corner"
        options={SLIDEOUT_CORNERS.map((c) => ({ value: c, label: CORNER_LABELS[c] }))}
        value={slideout.corner}
        onChange={(corner) => set({ corner })}
      />
      <ModalFields content={slideout} path="slideout" set={set} />
    </section>
  );
}
