import { useState } from 'react';
import type { PropertyFilter } from '../../../../shared/segments/rule';
import { FieldErrors } from '../../ui/Field';
import { readFilterValue } from '../../ui/filter-values';
import { PropertyFilterRow } from '../../ui/PropertyFilterRow';

/**
 * The property filters of an event a message names (its trigger's event, its goal event), read the
 * way the segment builder reads them, with what is wrong with them and a button to add one.
 */
export function EventFilterList({ label, filters, onChange, errors }: { label: string; filters: PropertyFilter[]; onChange(filters: PropertyFilter[]): void; errors: string[] }) {
  return (
    <>
      {filters.length > 0 ? (
        <ul className="filters" aria-label={label}>
          {filters.map((f, i) => (
            <EventFilterRow
              key={i}
              index={i}
              filter={f}
              onChange={(next) => onChange(filters.map((x, j) => (j === i ? next : x)))}
              onRemove={() => onChange(filters.filter((_, j) => j !== i))}
            />
          ))}
        </ul>
      ) : null}
      <FieldErrors errors={errors} />
      <div>
        <button type="button" className="ghost small" onClick={() => onChange([...filters, { property: '', op: 'eq', value: '' }])}>
          + Where a property…
        </button>
      </div>
    </>
  );
}

/** One filter. The text stays as typed ("a, b" mid-list) while the draft holds the values it reads as. */
function EventFilterRow({ filter, index, onChange, onRemove }: { filter: PropertyFilter; index: number; onChange(f: PropertyFilter): void; onRemove(): void }) {
  const [text, setText] = useState(() => (Array.isArray(filter.value) ? filter.value.join(', ') : filter.value === undefined ? '' : String(filter.value)));
  return (
    <PropertyFilterRow
      index={index}
      filter={{ property: filter.property, op: filter.op, value: text }}
      onRemove={onRemove}
      onChange={(next) => {
        if (next.property !== filter.property) {
          onChange({ ...filter, property: next.property });
          return;
        }
        setText(next.value);
        const value = readFilterValue(next.op, next.value, 'auto');
        onChange(value === undefined ? { property: filter.property, op: next.op } : { property: filter.property, op: next.op, value });
      }}
    />
  );
}
