interface ErrorNoteProps {
  error: string | null | undefined;
  /** A banner across the screen ('error-banner') rather than a line in a card ('error-text'). */
  banner?: boolean;
  testId?: string;
}

/** What went wrong, announced as an alert; nothing when nothing did. */
export function ErrorNote({ error, banner = false, testId }: ErrorNoteProps) {
  if (!error) return null;
  return (
    <p className={banner ? 'error-banner' : 'error-text'} role="alert" data-testid={testId}>
      {error}
    </p>
  );
}
