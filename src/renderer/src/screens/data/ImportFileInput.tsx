import { useApp } from '../../store';
import { useData } from './store';

/** The formats startImport reads; the backend sniffs the content too, so the extension is only a hint. */
export const IMPORT_ACCEPT = '.ndjson,.jsonl,.json,.csv';

let input: HTMLInputElement | null = null;

/**
 * Opens the native file picker. Call it from a click or key handler: browsers open pickers only in
 * direct answer to the user.
 */
export function pickImportFile(): void {
  input?.click();
}

/** The one hidden file input, mounted once by the app so any screen or command can open the picker. */
export function ImportFileInput() {
  const importFile = useData((s) => s.importFile);
  const setArea = useApp((s) => s.setArea);
  return (
    <input
      ref={(el) => {
        input = el;
      }}
      type="file"
      accept={IMPORT_ACCEPT}
      hidden
      tabIndex={-1}
      aria-hidden="true"
      data-testid="import-file-input"
      onChange={(e) => {
        const file = e.target.files?.[0];
        // Cleared so picking the same file again still counts as a change.
        e.target.value = '';
        if (!file) return;
        setArea('data');
        void importFile(file);
      }}
    />
  );
}
