import { useEffect, useId, useRef, type ReactNode } from 'react';

interface ConfirmUndoProps {
  /** How a screen reader names the prompt ("Delete Trial users?"); by default its title. */
  label?: string;
  title: ReactNode;
  /** What happens if they go on. */
  children: ReactNode;
  /** 'error' (red) when something is lost for good; 'pending' (calm) for a question on the way somewhere. */
  tone?: 'error' | 'pending';
  /** Puts the focus on the prompt as it appears, when no button should be the default (give that one autoFocus). */
  focusPrompt?: boolean;
  /** The choices, the safe one included ("Keep it", "Keep editing"). */
  actions: ReactNode;
}

/**
 * Asks, in place, before a step that Undo cannot take back: dropping unsaved changes, deleting what
 * other things depend on. Everything else deletes at once and offers Undo (useUndoableDelete).
 */
export function ConfirmUndo({ label, title, children, tone = 'error', focusPrompt = false, actions }: ConfirmUndoProps) {
  const titleId = useId();
  const prompt = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (focusPrompt) prompt.current?.focus();
    // As it appears; a new question is a new prompt (give it a key).
  }, []);

  return (
    <div
      ref={prompt}
      className={tone === 'pending' ? 'notice pending-bar' : 'notice error'}
      role="alertdialog"
      aria-label={label}
      aria-labelledby={label ? undefined : titleId}
      tabIndex={focusPrompt ? -1 : undefined}
    >
      <div>
        <strong id={titleId}>{title}</strong>
        <p>{children}</p>
      </div>
      <div className="card-actions">{actions}</div>
    </div>
  );
}
