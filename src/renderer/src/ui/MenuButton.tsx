import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface MenuItem {
  id: string;
  label: string;
  hint?: string;
  run(): void;
}

interface MenuButtonProps {
  label: ReactNode;
  /** The button's accessible name, when its label is not enough ("Add a condition to group 2"). */
  ariaLabel?: string;
  items: MenuItem[];
  className?: string;
  disabled?: boolean;
}

/** A button that opens a WAI-ARIA menu: arrows, Home/End, type-ahead, Enter to pick, Escape to close. */
export function MenuButton({ label, ariaLabel, items, className, disabled }: MenuButtonProps) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    menu.current?.focus();
    const onDown = (e: MouseEvent): void => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = (refocus = true): void => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const pick = (item: MenuItem | undefined): void => {
    if (!item) return;
    setOpen(false);
    item.run();
  };
  const onMenuKey = (e: KeyboardEvent<HTMLUListElement>): void => {
    const last = items.length - 1;
    if (e.key === 'ArrowDown') setActive(active >= last ? 0 : active + 1);
    else if (e.key === 'ArrowUp') setActive(active <= 0 ? last : active - 1);
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(last);
    else if (e.key === 'Enter' || e.key === ' ') pick(items[active]);
    else if (e.key === 'Escape') close();
    else if (e.key === 'Tab') {
      close(false);
      return;
    } else if (e.key.length === 1) {
      const from = items.findIndex((item, i) => i > active && item.label.toLowerCase().startsWith(e.key.toLowerCase()));
      const found = from >= 0 ? from : items.findIndex((item) => item.label.toLowerCase().startsWith(e.key.toLowerCase()));
      if (found >= 0) setActive(found);
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div className="menu-anchor">
      <button
        ref={button}
        type="button"
        className={className}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={ariaLabel}
        disabled={disabled}
        onClick={() => {
          setActive(0);
          setOpen(!open);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setActive(e.key === 'ArrowDown' ? 0 : items.length - 1);
            setOpen(true);
          }
        }}
      >
        {label}
        <span className="caret" aria-hidden="true" />
      </button>
      {open ? (
        <ul
          ref={menu}
          id={id}
          role="menu"
          className="menu"
          tabIndex={-1}
          aria-activedescendant={`${id}-${active}`}
          onKeyDown={onMenuKey}
        >
          {items.map((item, i) => (
            <li
              key={item.id}
              id={`${id}-${i}`}
              role="menuitem"
              className={i === active ? 'active' : undefined}
              onMouseEnter={() => setActive(i)}
              onClick={() => pick(item)}
            >
              <span>{item.label}</span>
              {item.hint ? <span className="muted menu-hint">{item.hint}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
