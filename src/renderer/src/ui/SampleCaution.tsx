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
