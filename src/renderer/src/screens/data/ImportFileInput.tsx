import { useApp } from '../../store';
import { createFilePicker } from '../../ui/filePicker';
import { useData } from './store';

/** The formats startImport reads; the backend sniffs the content too, so the extension is only a hint. */
export const IMPORT_ACCEPT = '.ndjson,.jsonl,.json,.csv';

const picker = createFilePicker();

/** Opens the file picker for events to import; call it from a click or key handler. */
export const pickImportFile = picker.pick;

/** The one hidden file input, mounted once by the app so any screen or command can open the picker. */
export function ImportFileInput() {
  const importFile = useData((s) => s.importFile);
  const setArea = useApp((s) => s.setArea);
  return (
    <picker.Input
      accept={IMPORT_ACCEPT}
      testId="import-file-input"
      onFile={(file) => {
        setArea('data');
        void importFile(file);
      }}
    />
  );
}
