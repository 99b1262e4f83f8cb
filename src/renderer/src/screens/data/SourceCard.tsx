import { useId, type FormEvent, type ReactNode } from 'react';
import { formatDateTime } from '../../lib/format';
import { ErrorNote } from '../../ui/ErrorNote';

/**
 * The card of a sync source (a delivery server, a PostgreSQL warehouse): what it is, "Sync now" once it
 * can, its facts (the source, when it last synced, and `facts`), the form that connects it, and a hint.
 */
export function SourceCard(props: {
  testId: string;
  title: string;
  description: string;
  /** Shows "Sync now". */
  canSyncNow: boolean;
  disabled: boolean;
  onSyncNow: () => void;
  /** The source as shown, null before one is connected. */
  source: ReactNode | null;
  sourceTestId: string;
  /** When it last synced: null never, undefined not known yet. */
  lastSyncAt: number | null | undefined;
  lastTestId: string;
  facts?: ReactNode;
  formLabel: string;
  onSubmit: (form: HTMLFormElement) => void;
  /** The form's fields, before its submit button. */
  fields: ReactNode;
  hint: string;
  error: string | null;
  /** The buttons' words, when several cards share a screen (default "Sync now", "Connect and sync", "Save and sync"). */
  labels?: { syncNow: string; connect: string; save: string };
}) {
  const labels = props.labels ?? { syncNow: 'Sync now', connect: 'Connect and sync', save: 'Save and sync' };
  const ids = useId();
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    props.onSubmit(e.currentTarget);
  };
  return (
    <section className="card" aria-labelledby={`${ids}-title`} data-testid={props.testId}>
      <header className="card-header">
        <div>
          <h3 id={`${ids}-title`}>{props.title}</h3>
          <p className="muted">{props.description}</p>
        </div>
        {props.canSyncNow ? (
          <button type="button" className="primary" disabled={props.disabled} onClick={props.onSyncNow}>
            {labels.syncNow}
          </button>
        ) : null}
      </header>
      <dl className="facts">
        <dt>Source</dt>
        <dd data-testid={props.sourceTestId}>{props.source ?? <span className="muted">Not connected</span>}</dd>
        <dt>Last synced</dt>
        <dd data-testid={props.lastTestId}>{props.lastSyncAt === undefined ? '…' : props.lastSyncAt !== null ? formatDateTime(props.lastSyncAt) : 'never'}</dd>
        {props.facts}
      </dl>
      <form className="sync-form" noValidate onSubmit={submit} aria-label={props.formLabel}>
        {props.fields}
        <button type="submit" disabled={props.disabled}>
          {props.source !== null ? labels.save : labels.connect}
        </button>
      </form>
      <p className="muted hint">{props.hint}</p>
      <ErrorNote error={props.error} />
    </section>
  );
}

/** Empties a secret field once the backend holds its value: the renderer keeps no copy. */
export function clearField(form: HTMLFormElement, name: string): void {
  const input = form.elements.namedItem(name);
  if (input instanceof HTMLInputElement) input.value = '';
}
