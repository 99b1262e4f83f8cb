import type { ReactNode } from 'react';

interface ScreenHeaderProps {
  title: ReactNode;
  /** A muted line under the title: what the screen holds, as of when. */
  subtitle?: ReactNode;
  /** The screen's buttons, on the right; the primary one last. */
  actions?: ReactNode;
}

/** The top of a screen: its title, a line about what it holds, and its actions. */
export function ScreenHeader({ title, subtitle, actions }: ScreenHeaderProps) {
  return (
    <header className="screen-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="header-actions">{actions}</div> : null}
    </header>
  );
}
