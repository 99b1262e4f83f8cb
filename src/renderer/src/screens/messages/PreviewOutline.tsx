/**
 * The outline beside the preview of a survey, banner or slideout: what the message holds and, for a
 * survey, each question with its type and where it leads (the drawing shows one question at a time).
 * Plain React text, never HTML. Alone, it stands in for a draft the SDK cannot draw yet (a survey
 * without questions).
 */
import type { BannerContent, SlideoutContent, SurveyContent } from '../../../../shared/messages/model';
import { describeQuestion } from './survey-edit';

interface PreviewOutlineProps {
  kind: string;
  content: unknown;
  locale: string;
  dir: 'ltr' | 'rtl';
}

const obj = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

export function PreviewOutline({ kind, content, locale, dir }: PreviewOutlineProps) {
  return (
    <div className="preview-outline" data-testid="preview-outline" lang={locale} dir={dir}>
      <p className="preview-outline-label muted small-text">Outline: everything it holds and where each answer leads.</p>
      {kind === 'survey' ? <SurveyOutline survey={content as SurveyContent} /> : null}
      {kind === 'banner' ? <BannerOutline banner={content as BannerContent} /> : null}
      {kind === 'slideout' ? <SlideoutOutline slideout={content as SlideoutContent} /> : null}
    </div>
  );
}

function SurveyOutline({ survey }: { survey: SurveyContent }) {
  const questions = Array.isArray(survey.questions) ? survey.questions : [];
  return (
    <>
      {survey.title ? <h4>{survey.title}</h4> : null}
      <ol className="preview-outline-questions">
        {questions.map((q, i) => {
          const { heading, flow } = describeQuestion({ questions }, i);
          return (
            <li key={q.id}>
              <span>{heading.replace(/^\d+\.\s*/, '')}</span>
              <span className="muted small-text preview-outline-flow">{flow.join(' · ')}</span>
            </li>
          );
        })}
      </ol>
      <p className="muted small-text">
        Then: “{survey.thankYou}” · close button “{survey.dismissLabel}”
      </p>
    </>
  );
}

function BannerOutline({ banner }: { banner: BannerContent }) {
  const cta = obj(banner.cta);
  return (
    <>
      <p className="muted small-text">A banner at the {banner.position === 'bottom' ? 'bottom' : 'top'} of the page.</p>
      <p className="preview-outline-text">{banner.text}</p>
      <p className="muted small-text">
        {typeof cta.label === 'string' ? `Button “${cta.label}” · ` : ''}close button “{banner.dismissLabel}”
      </p>
    </>
  );
}

function SlideoutOutline({ slideout }: { slideout: SlideoutContent }) {
  return (
    <>
      <p className="muted small-text">A card in the {slideout.corner === 'bottom-left' ? 'bottom left' : 'bottom right'} corner.</p>
      <h4>{slideout.title}</h4>
      <p className="preview-outline-text">{slideout.body}</p>
      <p className="muted small-text">
        Button “{slideout.cta?.label}” · “{slideout.dismissLabel}”
      </p>
    </>
  );
}
