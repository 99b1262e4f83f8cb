/**
 * A .guidepost bundle opened from outside (double-clicked, or given to the app at launch) is shown here
 * first: what it holds, and an explicit Import. Opening a file never imports it by itself, so a bundle
 * someone sent cannot slip a workshop and its segments into the cache unseen.
 */
import { useState } from 'react';
import { create } from 'zustand';
import type { BundlePreview } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { plural } from '../../lib/format';
import { Dialog, DialogFooter } from '../../ui/Dialog';
import { ErrorNote } from '../../ui/ErrorNote';
import { toast } from '../../ui/toast';
import { useWorkshops } from './store';

export const useBundleToConfirm = create<{ preview: BundlePreview | null }>(() => ({ preview: null }));

/** Asks the user about a bundle opened from outside (open-requests.ts calls it). */
export function confirmBundle(preview: BundlePreview): void {
  useBundleToConfirm.setState({ preview });
}

export function BundleOpenDialog() {
  const preview = useBundleToConfirm((s) => s.preview);
  if (!preview) return null;
  return <BundleConfirm key={preview.path} preview={preview} />;
}

function BundleConfirm({ preview }: { preview: BundlePreview }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = (): void => useBundleToConfirm.setState({ preview: null });

  const importIt = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const { id } = await api.importWorkshopBundle({ path: preview.path });
      close();
      toast('success', `Imported ${preview.fileName}.`);
      await useWorkshops.getState().open(id);
      void useWorkshops.getState().refreshList();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const who = [preview.account, preview.date].filter((part) => part !== '').join(' · ');
  return (
    <Dialog
      className="bundle-dialog"
      title={`Import “${preview.title}”?`}
      subtitle={`${preview.fileName} is a workshop bundle. Nothing is imported until you say so.`}
      onClose={close}
      initialFocus="button.primary"
      onSubmit={(e) => {
        e.preventDefault();
        void importIt();
      }}
    >
      <dl className="bundle-summary">
        <dt>Workshop</dt>
        <dd>{preview.title}</dd>
        {who ? (
          <>
            <dt>With</dt>
            <dd>{who}</dd>
          </>
        ) : null}
        <dt>Participants</dt>
        <dd>{preview.participants}</dd>
        <dt>Personas</dt>
        <dd>{preview.personas.length === 0 ? 'none yet' : preview.personas.join(', ')}</dd>
        <dt>Segments</dt>
        <dd>{preview.segments === 0 ? 'none' : `${plural(preview.segments, 'segment')}, added beside yours (yours are never changed)`}</dd>
      </dl>
      {preview.alreadyHere ? <p className="muted">This workshop is already here: importing adds a copy beside it and changes nothing of yours.</p> : null}
      <ErrorNote error={error} />
      <DialogFooter onCancel={close}>
        <button type="submit" className="primary" disabled={busy}>
          Import workshop
        </button>
      </DialogFooter>
    </Dialog>
  );
}
