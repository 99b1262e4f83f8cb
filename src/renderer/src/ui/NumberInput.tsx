import type { InputHTMLAttributes } from 'react';

type NativeProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'>;

interface NumberInputProps extends NativeProps {
  value: unknown;
  /** A number; undefined for an empty box; the text itself when it is not a number, so a schema can say so. */
  onChange(value: number | string | undefined): void;
}

/**
 * A number typed as text: an empty box is "not set", and text that is not a number is kept as typed
 * instead of jumping back, so the field can say what is wrong with it.
 */
export function NumberInput({ value, onChange, className = 'w-num-wide', ...rest }: NumberInputProps) {
  return (
    <input
      {...rest}
      className={className}
      type="text"
      inputMode="decimal"
      value={value === undefined ? '' : String(value)}
      onChange={(e) => {
        const text = e.target.value.trim();
        if (text === '') onChange(undefined);
        else onChange(Number.isFinite(Number(text)) ? Number(text) : e.target.value);
      }}
    />
  );
}
