interface ProgressBarProps {
  /** 0 to 1; null when the total is unknown (an indeterminate bar). */
  value: number | null;
  label: string;
  /** What a screen reader announces instead of a bare percentage. */
  valueText?: string;
}

/** A thin themed bar: the accent over a neutral track, moving stripes when the total is unknown. */
export function ProgressBar({ value, label, valueText }: ProgressBarProps) {
  const percent = value === null ? null : Math.round(value * 100);
  return (
    <div
      className={value === null ? 'progress-bar indeterminate' : 'progress-bar'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={value === null ? undefined : { width: `${value * 100}%` }} />
    </div>
  );
}
