import { useId, type ReactNode } from 'react';

/** What a Field hands its control: the id its label points at, and how it is described and marked invalid. */
export interface FieldControl {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean | undefined;
}

interface FieldErrorsProps {
  errors: readonly string[];
  /** For a control's aria-describedby. */
  id?: string;
  testId?: string;
}

/** What is wrong with a field or a group of fields, as a list; nothing when all is well. */
export function FieldErrors({ errors, id, testId }: FieldErrorsProps) {
  if (errors.length === 0) return null;
  return (
    <ul id={id} className="field-errors" data-testid={testId}>
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

interface FieldProps {
  label: string;
  errors: readonly string[];
  /** A short help line under the control. */
  hint?: string;
  /** Marks the field's block (data-field), so a summary of problems can move the focus to it. */
  name?: string;
  /** Renders the control with the props that tie it to the label, the hint and the errors. */
  children(control: FieldControl): ReactNode;
}

/** A labelled control with its hint and what is wrong with it right beside it. */
export function Field({ label, errors, hint, name, children }: FieldProps) {
  const id = useId();
  const described = [errors.length > 0 ? `${id}-err` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field-block field" data-field={name}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-describedby': described, 'aria-invalid': errors.length > 0 || undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="muted hint">
          {hint}
        </p>
      ) : null}
      <FieldErrors errors={errors} id={`${id}-err`} testId="field-error" />
    </div>
  );
}
