import type { ReactElement } from 'react';

interface PickerInputProps {
  /** The extensions offered; the backend checks the content anyway. */
  accept: string;
  testId: string;
  onFile(file: File): void;
}

export interface FilePicker {
  /** Opens the native picker. Call it from a click or key handler: browsers open pickers only in direct answer to the user. */
  pick(): void;
  /** The one hidden input behind `pick`: the app mounts it once, so any screen or command can open the picker. */
  Input(props: PickerInputProps): ReactElement;
}

/** A file picker any button or command can open, whose hidden input lives once in the app. */
export function createFilePicker(): FilePicker {
  let input: HTMLInputElement | null = null;
  return {
    pick: () => input?.click(),
    Input: ({ accept, testId, onFile }) => (
      <input
        ref={(el) => {
          input = el;
        }}
        type="file"
        accept={accept}
        hidden
        tabIndex={-1}
        aria-hidden="true"
        data-testid={testId}
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared so picking the same file again still counts as a change.
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
    ),
  };
}
