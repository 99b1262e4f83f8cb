import { errorMessage } from '../lib/api';
import { toast } from './toast';
import { useBusyStep } from './useBusyStep';

export interface UndoableDelete {
  /** What the toasts call the item: Deleted “name”. */
  name: string;
  /** Deletes it. Read first whatever `restore` will need that is not in hand yet. */
  remove(): Promise<void>;
  /** Puts it back, as Undo. */
  restore(): Promise<void>;
  /** Reloads what shows the item: after the delete, and after an undo. */
  refresh(): Promise<void>;
}

/**
 * Deletes, refreshes, and says so in a toast whose Undo restores the item and refreshes again. Deleting
 * asks nothing first: Undo is the way back. A failed delete throws for the caller to word; a failed
 * undo says so in a toast.
 */
export async function deleteWithUndo({ name, remove, restore, refresh }: UndoableDelete): Promise<void> {
  await remove();
  await refresh();
  toast('info', `Deleted “${name}”.`, {
    label: 'Undo',
    run: () => {
      restore()
        .then(async () => {
          await refresh();
          toast('success', `Restored “${name}”.`);
        })
        .catch((err: unknown) => toast('error', `Could not restore “${name}”: ${errorMessage(err)}`));
    },
  });
}

export interface UndoableDeleteHandle {
  /** Runs the delete; resolves to whether it went through. */
  run(): Promise<boolean>;
  /** True while the delete is on its way. */
  busy: boolean;
}

/**
 * `deleteWithUndo` for a component (a row's Delete): `busy` while it runs, and a failed delete reported
 * through `onError` (by default a toast with the backend's reason).
 */
export function useUndoableDelete(spec: UndoableDelete, onError: (message: string) => void = (message) => toast('error', message)): UndoableDeleteHandle {
  const step = useBusyStep(onError);
  const run = async (): Promise<boolean> => {
    const done = await step.run(async () => {
      await deleteWithUndo(spec);
      return true;
    });
    return done ?? false;
  };
  return { run, busy: step.busy };
}
