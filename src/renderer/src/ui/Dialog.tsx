import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  title: ReactNode;
  /** A line under the title. */
  subtitle?: ReactNode;
  /** Escape, the × button and a press outside the dialog call it; the owner unmounts the dialog. */
  onClose(): void;
  /** Classes besides `dialog` (its size and layout: 'publish-dialog'). */
  className?: string;
  /** A CSS selector of what takes the focus as it opens; by default the dialog itself. */
  initialFocus?: string;
  /** Makes the dialog a form: Enter in a field submits it. */
  onSubmit?(e: FormEvent<HTMLFormElement>): void;
  /** The body and the footer (`dialog-footer`) of the dialog. */
  children: ReactNode;
}

/**
 * A modal dialog over the screen: it takes the focus as it opens and gives it back as it closes, keeps
 * Tab inside, and closes on Escape, on its × and on a press outside it.
 */
export function Dialog({ title, subtitle, onClose, className, initialFocus, onSubmit, children }: DialogProps) {
  const dialog = useRef<HTMLElement | null>(null);
  const titleId = useId();
  // Read while rendering: by the time effects run, a child's autoFocus may already have moved it.
  const [returnTo] = useState(() => document.activeElement);

  useEffect(() => {
    const first = initialFocus ? dialog.current?.querySelector<HTMLElement>(initialFocus) : null;
    (first ?? dialog.current)?.focus();
    return () => {
      if (returnTo instanceof HTMLElement && returnTo.isConnected) returnTo.focus();
    };
    // Once, as it opens.
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    const focusable = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    const active = document.activeElement;
    if (e.shiftKey ? active === first || active === dialog.current : active === last) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  };

  const props = {
    className: className ? `dialog ${className}` : 'dialog',
    role: 'dialog',
    'aria-modal': true,
    'aria-labelledby': titleId,
    tabIndex: -1,
    onKeyDown,
  } as const;
  const content = (
    <>
      <header className="dialog-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          {subtitle ? <p className="muted">{subtitle}</p> : null}
        </div>
        <button type="button" className="ghost icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </>
  );

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      {onSubmit ? (
        <form
          ref={(el) => {
            dialog.current = el;
          }}
          {...props}
          onSubmit={onSubmit}
        >
          {content}
        </form>
      ) : (
        <div
          ref={(el) => {
            dialog.current = el;
          }}
          {...props}
        >
          {content}
        </div>
      )}
    </div>
  );
}

interface DialogFooterProps {
  onCancel(): void;
  /** The dialog's own buttons, after Cancel: the primary one last. */
  children: ReactNode;
}

/** A dialog's bottom row: Cancel, then what the dialog is for. */
export function DialogFooter({ onCancel, children }: DialogFooterProps) {
  return (
    <footer className="dialog-footer">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {children}
    </footer>
  );
}
