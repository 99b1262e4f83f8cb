import type { HTMLAttributes, ReactNode } from 'react';

interface ModalLayerProps extends HTMLAttributes<HTMLDivElement> {
  /** A press on the dimmed screen around the box calls it; the owner unmounts the layer. */
  onClose(): void;
  /** Give the box its name: aria-label, or aria-labelledby. */
  'aria-label'?: string;
  children: ReactNode;
}

/**
 * A modal box over the dimmed screen (role dialog, aria-modal) that a press outside it closes: the frame
 * of a modal with no title bar, such as the command palette. Dialog adds the title, the × and the focus
 * handling.
 */
export function ModalLayer({ onClose, children, ...box }: ModalLayerProps) {
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" {...box}>
        {children}
      </div>
    </div>
  );
}
