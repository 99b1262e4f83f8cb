/**
 * The parts the worksheets are built from, besides the kit's: a card with its title and action, a table
 * of editable rows with a × per row, a select over fixed values, and a number box kept within bounds.
 */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import type { Workshop } from '../../../../shared/workshop/model';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { RemoveButton } from '../../ui/RemoveButton';
import { clampNumber, stepsOf } from './doc';
import { useWorkshops } from './store';

type NativeSelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>;

interface OptionSelectProps<T extends string | number> extends NativeSelectProps {
  value: NoInfer<T>;
  options: readonly T[];
  /** What an option says; by default its value. */
  label?(option: NoInfer<T>): string;
  /** Handed the option itself, so a number stays a number. */
  onChange(value: NoInfer<T>): void;
}

/** A select over a fixed list of values (areas, a 1–5 scale, personas by id): only those can come back. */
export function OptionSelect<T extends string | number>({ value, options, label = String, onChange, ...rest }: OptionSelectProps<T>) {
  return (
    <select
      {...rest}
      value={value}
      onChange={(e) => {
        const picked = options.find((o) => String(o) === e.target.value);
        if (picked !== undefined) onChange(picked);
      }}
    >
      {options.map((o) => (
        <option key={o} value={o}>
          {label(o)}
        </option>
      ))}
    </select>
  );
}

type NativeInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type' | 'min' | 'max'>;

interface BoundedNumberProps extends NativeInputProps {
  value: number;
  min: number;
  max: number;
  /** Rounds to a whole number (counts, days). */
  whole?: boolean;
  onChange(value: number): void;
}

/**
 * A number box whose value is always one the document accepts: kept within min and max as it is typed,
 * with an emptied box read as `min`. (The kit's NumberInput keeps bad text to report it; a worksheet
 * figure has nothing to report, so it never holds one.)
 */
export function BoundedNumber({ value, min, max, whole = false, onChange, className = 'w-num', ...rest }: BoundedNumberProps) {
  return <input {...rest} type="number" className={className} min={min} max={max} value={value} onChange={(e) => onChange(clampNumber(e.target.value, min, max, whole))} />;
}

interface SheetCardProps {
  /** The title's id, which names the card's region. */
  titleId: string;
  title: ReactNode;
  /** A muted line under the title. */
  subtitle?: ReactNode;
  /** The card's "Add …" button, on the right of the title, for a row of what the card lists. */
  add?: { label: string; run(): void; disabled?: boolean };
  /** Anything else on the right of the title: a badge, a picker. */
  action?: ReactNode;
  /** Classes besides `card`. */
  className?: string;
  testId?: string;
  children?: ReactNode;
}

/** A card of the workshop, a region named by its title, with what it does beside the title. */
export function SheetCard({ titleId, title, subtitle, add, action, className, testId, children }: SheetCardProps) {
  const heading = <h3 id={titleId}>{title}</h3>;
  return (
    <section className={className ? `card ${className}` : 'card'} aria-labelledby={titleId} data-testid={testId}>
      <header className="card-header">
        {subtitle ? (
          <div>
            {heading}
            <p className="muted">{subtitle}</p>
          </div>
        ) : (
          heading
        )}
        {add ? (
          <button type="button" className="small" onClick={add.run} disabled={add.disabled}>
            {add.label}
          </button>
        ) : null}
        {action}
      </header>
      {children}
    </section>
  );
}

interface SheetTableProps<Row> {
  /** Classes besides `sheet-table`. */
  className?: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey(row: Row): string;
  /** Each row's test id. */
  rowTestId?: string;
  /** The accessible name of a row's ×: what goes ("Remove row 3"); `index` counts from 0. */
  removeLabel(row: Row, index: number): string;
  onRemove(row: Row): void;
  /** The help line of the empty state drawn instead of the table while there are no rows: what to put in it. */
  empty: string;
}

/** A worksheet's table of editable rows, a × at the end of each, and a line in its place while it is empty. */
export function SheetTable<Row>({ className, columns, rows, rowKey, rowTestId, removeLabel, onRemove, empty }: SheetTableProps<Row>) {
  return (
    <DataTable
      className={className ? `sheet-table ${className}` : 'sheet-table'}
      columns={columns}
      rows={rows}
      rowKey={rowKey}
      rowProps={rowTestId ? () => ({ 'data-testid': rowTestId }) : undefined}
      actions={{ header: 'Remove', cell: (row) => <RemoveButton label={removeLabel(row, rows.indexOf(row))} onClick={() => onRemove(row)} /> }}
      empty={<EmptyState size="inline" title="No rows yet" help={empty} />}
    />
  );
}

/** A later step's place while step 1 has no personas: says so, and goes back to step 1. */
export function NoPersonasYet({ w, help }: { w: Workshop; help: string }) {
  const update = useWorkshops((s) => s.update);
  const first = stepsOf(w)[0];
  return (
    <EmptyState
      size="inline"
      title="No personas yet"
      help={help}
      action={first ? { label: "Go to step 1", onClick: () => update((d) => ({ ...d, currentStep: first.key })) } : undefined}
    />
  );
}
