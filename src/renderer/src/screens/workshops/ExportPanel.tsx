import { useState } from 'react';
import type { Workshop } from '../../../../shared/workshop/model';
import { api, errorMessage, exportedFiles } from '../../lib/api';
import { copyText } from '../../ui/clipboard';
import { ErrorNote } from '../../ui/ErrorNote';
import { toast } from '../../ui/toast';
import { pickBundleFile } from './BundleInput';
import { SheetCard } from './SheetParts';
import { useWorkshops } from './store';

type Format = 'pdf' | 'csv' | 'md' | 'bundle';

const FORMATS: { id: Format; label: string; hint: string }[] = [
  { id: 'pdf', label: 'PDF', hint: 'A handout' },
  { id: 'csv', label: 'CSV', hint: 'One zip of the worksheets, and a file per worksheet' },
  { id: 'md', label: 'Markdown', hint: 'For a wiki or a doc' },
  { id: 'bundle', label: 'Bundle', hint: 'A .guidepost file that opens in Guidepost' },
];

const fileName = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/** What to do with one exported file: download it (browser mode) or show it in its folder (desktop). */
async function deliver(path: string, how: 'download' | 'show'): Promise<void> {
  try {
    if (how === 'download') await exportedFiles.download(path);
    else await exportedFiles.showInFolder(path);
  } catch (err) {
    toast('error', `Could not ${how === 'download' ? 'download' : 'show'} ${fileName(path)}: ${errorMessage(err)}`);
  }
}

/**
 * Exports into the folder beside the cache, and the way back in: a .guidepost bundle. In browser mode
 * the export's main file (the CSV's zip) downloads at once and each file has a Download; in the
 * desktop app each file has Show in folder.
 */
export function ExportPanel({ w }: { w: Workshop }) {
  const [busy, setBusy] = useState<Format | null>(null);
  const [files, setFiles] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  const run = async (format: Format): Promise<void> => {
    setBusy(format);
    setError(null);
    try {
      await useWorkshops.getState().flush();
      const result = await api.exportWorkshop({ id: w.id, format });
      setFiles((before) => [...result.files, ...before.filter((f) => !result.files.includes(f))]);
      // The first file is the one to hand on: the only one, or the CSV's zip of all of them.
      const main = result.files[0];
      const count = result.files.length === 1 ? 'one file' : `${result.files.length} files`;
      if (main && exportedFiles.canDownload) {
        await deliver(main, 'download');
        toast('success', `Exported ${count}; downloading ${fileName(main)}.`);
      } else if (main && exportedFiles.canShowInFolder) {
        toast('success', `Exported ${count}.`, { label: 'Show in folder', run: () => void deliver(main, 'show') });
      } else {
        toast('success', `Exported ${count}.`);
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <SheetCard
      titleId="export-title"
      title="Export"
      subtitle={exportedFiles.canDownload ? "Downloaded, and kept in the exports folder beside the cache." : "Written to the exports folder beside the cache."}
      action={
        <button type="button" onClick={pickBundleFile}>
          Import bundle…
        </button>
      }
    >
      <div className="row">
        {FORMATS.map((f) => (
          <button key={f.id} type="button" title={f.hint} disabled={busy !== null} onClick={() => void run(f.id)}>
            {busy === f.id ? `${f.label}…` : f.label}
          </button>
        ))}
      </div>
      <ErrorNote error={error} />
      {files.length > 0 ? (
        <ul className="export-files" aria-label="Exported files">
          {files.map((f) => (
            <li key={f}>
              <code data-testid="export-file" title={f}>
                {f}
              </code>
              <span className="export-file-actions">
                {exportedFiles.canDownload ? (
                  <button type="button" className="small" aria-label={`Download ${fileName(f)}`} onClick={() => void deliver(f, 'download')}>
                    Download
                  </button>
                ) : null}
                {exportedFiles.canShowInFolder ? (
                  <button type="button" className="small" aria-label={`Show ${fileName(f)} in its folder`} onClick={() => void deliver(f, 'show')}>
                    Show in folder
                  </button>
                ) : null}
                <button type="button" className="ghost small" aria-label={`Copy path ${f}`} onClick={() => void copyText(f, 'Copied the path.')}>
                  Copy path
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </SheetCard>
  );
}
