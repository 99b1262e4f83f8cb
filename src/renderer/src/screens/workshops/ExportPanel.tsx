import { useState } from 'react';
import type { Workshop } from '../../../../shared/workshop/model';
import { api, errorMessage } from '../../lib/api';
import { copyText } from '../../ui/clipboard';
import { ErrorNote } from '../../ui/ErrorNote';
import { toast } from '../../ui/toast';
import { pickBundleFile } from './BundleInput';
import { SheetCard } from './SheetParts';
import { useWorkshops } from './store';

type Format = 'pdf' | 'csv' | 'md' | 'bundle';

const FORMATS: { id: Format; label: string; hint: string }[] = [
  { id: 'pdf', label: 'PDF', hint: 'A handout' },
  { id: 'csv', label: 'CSV', hint: 'One file per worksheet' },
  { id: 'md', label: 'Markdown', hint: 'For a wiki or a doc' },
  { id: 'bundle', label: 'Bundle', hint: 'A .guidepost file that opens in Guidepost' },
];

/** Exports into the folder beside the cache, and the way back in: a .guidepost bundle. */
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
      toast('success', `Exported ${result.files.length === 1 ? 'one file' : `${result.files.length} files`}.`);
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
      subtitle="Written to the exports folder beside the cache."
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
              <code data-testid="export-file">{f}</code>
              <button type="button" className="ghost small" aria-label={`Copy path ${f}`} onClick={() => void copyText(f, 'Copied the path.')}>
                Copy path
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </SheetCard>
  );
}
