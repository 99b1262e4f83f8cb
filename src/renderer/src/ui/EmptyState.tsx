import { useId, type ReactNode } from 'react';
import './empty-state.css';

/** The one thing to do from an empty place: drawn as the primary button. */
export interface EmptyAction {
  label: string;
  onClick(): void;
  disabled?: boolean;
}

interface EmptyStateProps {
  /**
   * An empty area invites ("Build your first segment"); an empty part of a screen says what is
   * missing ("No accounts yet"). No full stop.
   */
  title: string;
  /** One line: what the place is for, and how it fills. */
  help: ReactNode;
  /** The primary action, where the user can fill the place from here. */
  action?: EmptyAction;
  /** Quieter alternatives, after the primary action. */
  secondary?: ReactNode;
  /** Something live under the help line (the demo's progress while it generates). */
  children?: ReactNode;
  /** 'area' fills an area's body; 'inline' sits in a card, a tab or a worksheet. */
  size?: 'area' | 'inline';
}

/**
 * Every empty place in the app, drawn one way (issue 17): a title, one line of help and at most one
 * primary action, so a new user meets the same shape on every screen.
 */
export function EmptyState({ title, help, action, secondary, children, size = 'area' }: EmptyStateProps) {
  const titleId = useId();
  const Heading = size === 'area' ? 'h2' : 'h3';
  return (
    <section className={`empty-state ${size}`} aria-labelledby={titleId} data-testid="empty-state">
      <Heading id={titleId} className="empty-title">
        {title}
      </Heading>
      <p className="empty-help">{help}</p>
      {children}
      {action || secondary ? (
        <div className="empty-actions">
          {action ? (
            <button type="button" className="primary" onClick={action.onClick} disabled={action.disabled}>
              {action.label}
            </button>
          ) : null}
          {secondary}
        </div>
      ) : null}
    </section>
  );
}
