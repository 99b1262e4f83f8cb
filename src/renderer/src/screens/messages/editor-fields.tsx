/**
 * The message editor's building blocks, shared by its sections (MessageEditor.tsx and the kinds' own
 * section files): fields whose errors are the draft's issues at their path, and the setter helpers.
 */
import { createContext, useContext, type InputHTMLAttributes, type ReactNode } from 'react';
import type { MessageDraft } from '../../../../shared/messages/model';
import { Field, type FieldControl } from '../../ui/Field';
import { NumberInput } from '../../ui/NumberInput';
import { SegmentedChoice, type Choice } from '../../ui/SegmentedChoice';
import { issuesAt, type Issues } from './model';

export type Edit = (change: (d: MessageDraft) => MessageDraft) => void;

export interface SectionProps {
  draft: MessageDraft;
  edit: Edit;
}

/** What is wrong with the draft, for every field below the editor to pick its own from. */
export const IssuesContext = createContext<Issues>({});

/** The issues at `path` and below it, from the editor's context. */
export function useIssuesAt(path: string): string[] {
  return issuesAt(useContext(IssuesContext), path);
}

interface IssueFieldProps {
  label: string;
  /** The draft's field path: what is wrong there shows beside the control. */
  path: string;
  hint?: string;
  children(control: FieldControl): ReactNode;
}

/** A Field whose errors are the draft's issues at its path. */
export function IssueField({ path, ...rest }: IssueFieldProps) {
  const issues = useContext(IssuesContext);
  return <Field {...rest} name={path} errors={issuesAt(issues, path)} />;
}

type FieldProps = Omit<IssueFieldProps, 'children'>;

interface InputFieldProps extends FieldProps {
  value: string;
  onChange(value: string): void;
  /** The input's own attributes: a type other than text, a placeholder, spellCheck. */
  input?: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;
}

/** An IssueField of one line of text (or a URL, a date): most of the editor. */
export function InputField({ value, onChange, input, ...field }: InputFieldProps) {
  return <IssueField {...field}>{(c) => <input {...c} type="text" {...input} value={value} onChange={(e) => onChange(e.target.value)} />}</IssueField>;
}

interface NumberFieldProps extends FieldProps {
  value: unknown;
  /** Text that is not a number reaches the draft as typed, so validate() can say what is wrong with it. */
  onChange(value: number | undefined): void;
}

export function NumberField({ value, onChange, ...field }: NumberFieldProps) {
  return <IssueField {...field}>{(c) => <NumberInput {...c} value={value} onChange={(v) => onChange(v as number | undefined)} />}</IssueField>;
}

/** Sets `key` of an object, or removes it when the value is undefined. */
export function put<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): T {
  const next = { ...obj };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

interface ChoiceFieldProps<T extends string> {
  /** The group's name, and the id of its label. */
  name: string;
  label: string;
  options: readonly Choice<T>[];
  value: T;
  onChange(value: T): void;
}

/** One of a few options as a labelled row of joined buttons (the kind, a banner's position, a slideout's corner). */
export function ChoiceField<T extends string>({ name, label, options, value, onChange }: ChoiceFieldProps<T>) {
  return (
    <div className="field-block">
      <span className="field-label" id={`${name}-label`}>
        {label}
      </span>
      <SegmentedChoice<T> name={name} labelledBy={`${name}-label`} options={options} value={value} onChange={onChange} />
    </div>
  );
}
