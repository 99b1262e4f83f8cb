import { api, errorMessage, fileForImport, withFileNames } from '../../lib/api';
import { createFilePicker } from '../../ui/filePicker';
import { toast } from '../../ui/toast';
import { useWorkshops } from './store';

const picker = createFilePicker();

/** Opens the file picker for a .guidepost bundle; call it from a click or key handler. */
export const pickBundleFile = picker.pick;

/** Uploads (in browser mode) and imports a bundle, then opens the workshop it recreated. */
export async function importBundle(file: File): Promise<void> {
  try {
    const path = await fileForImport(file);
    const { id } = await api.importWorkshopBundle({ path });
    toast('success', `Imported ${file.name}.`);
    await useWorkshops.getState().open(id);
    void useWorkshops.getState().refreshList();
  } catch (err) {
    toast('error', `Could not import ${file.name}: ${withFileNames(errorMessage(err))}`);
  }
}

/** The one hidden bundle input, mounted once by the app so the list, the palette and the export panel share it. */
export function BundleInput() {
  return <picker.Input accept=".guidepost,.json" testId="bundle-file-input" onFile={(file) => void importBundle(file)} />;
}
