interface RemoveButtonProps {
  /** The accessible name: what goes ("Remove filter 2", "Remove row 3"). */
  label: string;
  onClick(): void;
  title?: string;
  /** 'ghost small icon' for a square button in a row of fields; plain 'ghost small' in a table row. */
  className?: string;
  disabled?: boolean;
}

/** The "×" that removes a row, a filter or a chip: a quiet button whose label says what it removes. */
export function RemoveButton({ label, onClick, title, className = 'ghost small', disabled }: RemoveButtonProps) {
  return (
    <button type="button" className={className} aria-label={label} title={title} onClick={onClick} disabled={disabled}>
      ×
    </button>
  );
}
