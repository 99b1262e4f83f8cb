import './sample-caution.css';
import { sampleCaution, type FigureKind } from '../../../shared/sample-size';

/**
 * The small-sample caution under a rate or score (src/shared/sample-size.ts holds the one rule and
 * its threshold); renders nothing when the sample is large enough.
 */
export function SampleCaution({ n, kind, unit }: { n: number; kind: FigureKind; unit: string }) {
  const caution = sampleCaution(n, kind, unit);
  if (!caution) return null;
  return (
    <p className="sample-caution small-text" data-testid="sample-caution" role="note">
      <span aria-hidden="true">⚠ </span>
      {caution.text}
    </p>
  );
}

/**
 * The same caution in a table cell, where a paragraph does not fit: a short "small sample" line under
 * the figure; the full sentence in its title and, for screen readers, in hidden text.
 */
export function SampleFlag({ n, kind, unit }: { n: number; kind: FigureKind; unit: string }) {
  const caution = sampleCaution(n, kind, unit);
  if (!caution) return null;
  return (
    <div className="sample-flag small-text" data-testid="sample-flag" title={caution.text}>
      <span aria-hidden="true">⚠ small sample</span>
      <span className="visually-hidden">{caution.text}</span>
    </div>
  );
}
