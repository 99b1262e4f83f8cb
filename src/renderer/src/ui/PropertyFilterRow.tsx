import { useId } from 'react';
import { VALUE_OPS, type ValueOp } from '../../../shared/segments/rule';
import { takesList, takesNoValue, VALUE_OP_LABELS, valueHint, type ValueMode } from './filter-values';
import { RemoveButton } from './RemoveButton';

/** A filter's value as typed: the operator, the text (one value, or a comma-separated list) and how to read it. */
export interface FilterValueText {
  op: ValueOp;
  value: string;
  /** Offer "read the value as auto/text" with its type hint; without it values are read automatically. */
  mode?: ValueMode;
}

export interface PropertyFilterText extends FilterValueText {
  property: string;
}

interface FilterValueFieldsProps<V extends FilterValueText> {
  value: V;
  onChange(next: V): void;
  /** What the controls are of, for their accessible names ("filter 2" → "Operator of filter 2"). */
  label?: string;
  /** Values seen before, offered as the user types one value. */
  suggestions?: readonly string[];
}

/** The operator and the value of a filter: a list box for in/not in, none for is set/is not set. */
export function FilterValueFields<V extends FilterValueText>({ value: v, onChange, label, suggestions = [] }: FilterValueFieldsProps<V>) {
  const listId = useId();
  const of = label ? ` of ${label}` : '';
  const list = takesList(v.op);
  const hint = v.mode === undefined ? null : valueHint(v.op, v.value, v.mode);
  return (
    <>
      <select aria-label={`Operator${of}`} value={v.op} onChange={(e) => onChange({ ...v, op: e.target.value as ValueOp })}>
        {VALUE_OPS.map((op) => (
          <option key={op} value={op}>
            {VALUE_OP_LABELS[op]}
          </option>
        ))}
      </select>
      {takesNoValue(v.op) ? null : (
        <>
          <input
            className={list ? 'w-list' : 'w-value'}
            type="text"
            aria-label={list ? `Values${of}, separated by commas` : `Value${of}`}
            placeholder={list ? 'a, b, "c, with comma"' : 'value'}
            list={!list && suggestions.length > 0 ? listId : undefined}
            spellCheck={false}
            value={v.value}
            onChange={(e) => onChange({ ...v, value: e.target.value })}
          />
          {suggestions.length > 0 ? (
            <datalist id={listId}>
              {suggestions.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          ) : null}
          {v.mode === undefined ? null : (
            <select aria-label={`Read the value${of} as`} className="w-mode" value={v.mode} onChange={(e) => onChange({ ...v, mode: e.target.value as ValueMode })}>
              <option value="auto">auto</option>
              <option value="text">text</option>
            </select>
          )}
          {hint ? (
            <span className="type-chip" title="How the value is compared">
              {hint}
            </span>
          ) : null}
        </>
      )}
    </>
  );
}

interface PropertyFilterRowProps<F extends PropertyFilterText> {
  /** Its place among the event's filters, from 0: "where" for the first, "and" after. */
  index: number;
  filter: F;
  onChange(next: F): void;
  onRemove(): void;
  /** The id of a datalist of the event's property keys. */
  propertyList?: string;
  /** An id for the property input, so the focus can be put there once the row is added. */
  propertyInputId?: string;
}

/** One "where property op value" filter on an event: the segment builder's and the message trigger's. */
export function PropertyFilterRow<F extends PropertyFilterText>({ index, filter, onChange, onRemove, propertyList, propertyInputId }: PropertyFilterRowProps<F>) {
  const n = index + 1;
  return (
    <li className="fields filter-row">
      <span className="muted">{index === 0 ? 'where' : 'and'}</span>
      <input
        id={propertyInputId}
        className="w-name"
        type="text"
        aria-label={`Property of filter ${n}`}
        placeholder="property"
        list={propertyList}
        spellCheck={false}
        value={filter.property}
        onChange={(e) => onChange({ ...filter, property: e.target.value })}
      />
      <FilterValueFields value={filter} onChange={onChange} label={`filter ${n}`} />
      <RemoveButton className="ghost small icon" label={`Remove filter ${n}`} title="Remove the filter" onClick={onRemove} />
    </li>
  );
}
