import type { ReactNode } from 'react';

export interface Choice<T extends string> {
  value: T;
  label: ReactNode;
}

interface SegmentedChoiceProps<T extends string> {
  /** The radio group's name: unique on the screen. */
  name: string;
  options: readonly Choice<T>[];
  value: T;
  onChange(value: T): void;
  /** The group's accessible name, or the id of the element that gives it. */
  label?: string;
  labelledBy?: string;
}

/** One of a few options as a row of joined buttons: radio inputs underneath, so arrows and forms work. */
export function SegmentedChoice<T extends string>({ name, options, value, onChange, label, labelledBy }: SegmentedChoiceProps<T>) {
  return (
    <fieldset className="segmented" aria-label={label} aria-labelledby={labelledBy}>
      {options.map((option) => (
        <label key={option.value} className={value === option.value ? 'selected' : undefined}>
          <input type="radio" name={name} value={option.value} checked={value === option.value} onChange={() => onChange(option.value)} />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}
