import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabItem<T extends string> {
  id: T;
  label: string;
  /** A small count beside the label. */
  badge?: string;
}

interface TabsProps<T extends string> {
  items: TabItem<T>[];
  value: T;
  onChange(value: T): void;
  label: string;
  /** Prefix of the tab and panel ids: tab `${idBase}-tab-${id}` controls panel `${idBase}-panel-${id}`. */
  idBase: string;
}

/** WAI-ARIA tabs: one tab stop, arrows, Home and End move between tabs and select them. */
export function Tabs<T extends string>({ items, value, onChange, label, idBase }: TabsProps<T>) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (e: KeyboardEvent<HTMLDivElement>): void => {
    const index = items.findIndex((t) => t.id === value);
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % items.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    const item = items[next];
    if (!item) return;
    e.preventDefault();
    onChange(item.id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={move}>
      {items.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`${idBase}-tab-${t.id}`}
          aria-selected={t.id === value}
          aria-controls={`${idBase}-panel-${t.id}`}
          tabIndex={t.id === value ? 0 : -1}
          className={t.id === value ? 'tab active' : 'tab'}
          onClick={() => onChange(t.id)}
        >
          {t.label}
          {t.badge ? <span className="tab-badge">{t.badge}</span> : null}
        </button>
      ))}
    </div>
  );
}

interface TabPanelProps<T extends string> {
  /** The same idBase as the Tabs it belongs to. */
  idBase: string;
  /** The tab whose content this is. */
  tab: T;
  className?: string;
  children: ReactNode;
}

/** The content of the selected tab, tied to its tab for screen readers. */
export function TabPanel<T extends string>({ idBase, tab, className = 'tab-panel', children }: TabPanelProps<T>) {
  return (
    <div className={className} role="tabpanel" id={`${idBase}-panel-${tab}`} aria-labelledby={`${idBase}-tab-${tab}`}>
      {children}
    </div>
  );
}
