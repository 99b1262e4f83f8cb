import { useSegments } from './store';

/** The event names the cache holds, as suggestions for the inputs whose `list` is `id`. */
export function EventNameList({ id }: { id: string }) {
  const catalog = useSegments((s) => s.catalog);
  return (
    <datalist id={id}>
      {(catalog ?? []).map((e) => (
        <option key={e.name} value={e.name} />
      ))}
    </datalist>
  );
}

interface EventNameInputProps {
  label: string;
  /** The id of an EventNameList. */
  list: string;
  value: string;
  onChange(value: string): void;
}

/** A labelled event name (a goal, the event that means "activated"), typed with the catalog's names offered. */
export function EventNameInput({ label, list, value, onChange }: EventNameInputProps) {
  return (
    <label>
      {label}
      <input type="text" list={list} value={value} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
