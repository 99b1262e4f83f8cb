import { useId, useState, type InputHTMLAttributes } from 'react';
import { formatUtcInput, parseUtcDay, parseUtcInstant, utcInstantProblem } from '../lib/format';
import './date-input.css';

type NativeProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'onBlur' | 'type'>;

interface UtcDateInputProps extends NativeProps {
  /** The instant the field holds (ms), or null for none. */
  value: number | null;
  /** Takes "yyyy-mm-dd hh:mm" as well; without it, only a day ("yyyy-mm-dd", the start of that UTC day). */
  withTime?: boolean;
  /** An emptied field means "no date" (onChange(null)); without it, a date is needed. */
  optional?: boolean;
  /** A date the field can read, as soon as it is typed; null when an optional field is emptied. */
  onChange(ms: number | null): void;
}

/**
 * A date typed as ISO text in UTC, like every date the app shows, instead of the browser's date
 * picker (the system's format, mm/dd/yyyy in the US, and local time). Text it cannot read stays as
 * typed, the last good date stays in force, and what is wrong is said when the field is left.
 */
export function UtcDateInput({ value, withTime = false, optional = false, onChange, className, ...rest }: UtcDateInputProps) {
  // The text being typed; null while the field shows its value.
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const problemId = useId();
  const parse = withTime ? parseUtcInstant : parseUtcDay;
  const readable = (text: string): boolean => parse(text) !== null || (optional && text.trim() === '');

  return (
    <>
      <input
        {...rest}
        className={['w-date', withTime ? 'with-time' : '', className ?? ''].filter(Boolean).join(' ')}
        type="text"
        inputMode="numeric"
        spellCheck={false}
        autoComplete="off"
        placeholder={withTime ? 'yyyy-mm-dd hh:mm' : 'yyyy-mm-dd'}
        value={draft ?? (value === null ? '' : formatUtcInput(value, withTime))}
        aria-invalid={problem !== null}
        aria-describedby={problem !== null ? problemId : undefined}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          setProblem(null);
          const ms = parse(text);
          if (ms !== null) {
            if (ms !== value) onChange(ms);
          } else if (optional && text.trim() === '' && value !== null) {
            onChange(null);
          }
        }}
        onBlur={() => {
          if (draft === null) return;
          if (readable(draft)) {
            setDraft(null);
          } else {
            setProblem(draft.trim() === '' ? `A date is needed: write it as ${withTime ? 'yyyy-mm-dd hh:mm' : 'yyyy-mm-dd'} (UTC).` : utcInstantProblem(draft.trim(), withTime));
          }
        }}
      />
      {problem !== null ? (
        <span id={problemId} className="field-error" role="alert">
          {problem}
        </span>
      ) : null}
    </>
  );
}
