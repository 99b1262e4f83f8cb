/**
 * The Workshops area's state: the list, the open workshop (edited here, autosaved as a whole document,
 * debounced), its save state, and the navigation between the two.
 */
import { create } from 'zustand';
import type { Workshop, WorkshopSummary } from '../../../../shared/workshop/model';
import { api, errorMessage } from '../../lib/api';
import { archivableList, type ArchivableList } from '../../lib/archivable-list';
import { useApp } from '../../store';
import { toast } from '../../ui/toast';

export const AUTOSAVE_DELAY_MS = 500;

export type SaveState = 'saved' | 'pending' | 'saving' | 'error';

interface WorkshopsState extends ArchivableList<WorkshopSummary> {
  createOpen: boolean;
  /** The open workshop as edited here (ahead of the server while a save is due). */
  doc: Workshop | null;
  /** The latest document the server stored: what step 3 is computed from. */
  saved: Workshop | null;
  openError: string | null;
  saveState: SaveState;
  saveError: string | null;
  presenting: boolean;
  setCreateOpen(open: boolean): void;
  /** Opens a workshop; refuses (and says why) while the open one has changes the server refused. */
  open(id: string): Promise<void>;
  /** Shows a workshop the caller already holds (just created, duplicated or imported). */
  show(w: Workshop): void;
  /** Back to the list once the server has every change; resolves false (and says why) when it could not be saved. */
  close(): Promise<boolean>;
  /** Changes the open document and schedules its autosave. */
  update(change: (w: Workshop) => Workshop): void;
  /** Saves now if anything is waiting; resolves once the server has the document. */
  flush(): Promise<void>;
  /**
   * Replaces the document with a server answer (savePersonaSegment, say) when nothing local is newer;
   * otherwise keeps the local document and takes only that persona's link (segmentId, and its rule
   * when it was not edited here).
   */
  adopt(w: Workshop, personaId?: string): void;
  /** Null when the server holds every change; otherwise why not, worded for a toast (`before`: what waits, "leaving" unless told). */
  unsavedReason(before?: string): string | null;
  setPresenting(on: boolean): void;
  /** Reads the open workshop again (after its persona's segment was edited elsewhere, say) when nothing local waits. */
  reload(): Promise<void>;
}

let timer: ReturnType<typeof setTimeout> | null = null;
/** Bumped on every local edit: a server answer replaces the document only if no edit came after it was sent. */
let editRev = 0;
let inFlight: Promise<void> | null = null;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The local document after a save answer it is newer than: each persona whose rule is still the one
 * sent takes the server's rule, ruleEdited and segmentId (the linked segment may have been edited elsewhere).
 */
function rebase(local: Workshop, sent: Workshop, stored: Workshop): Workshop {
  let changed = false;
  const personas = local.personas.map((p) => {
    const before = sent.personas.find((x) => x.id === p.id);
    const after = stored.personas.find((x) => x.id === p.id);
    if (!before || !after || !sameJson(p.rule, before.rule)) return p;
    if (sameJson(p.rule, after.rule) && p.ruleEdited === after.ruleEdited && p.segmentId === after.segmentId) return p;
    changed = true;
    return { ...p, rule: after.rule, ruleEdited: after.ruleEdited, segmentId: after.segmentId };
  });
  return changed ? { ...local, personas } : local;
}

export const useWorkshops = create<WorkshopsState>((set, get) => {
  const clearTimer = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const saveNow = async (): Promise<void> => {
    clearTimer();
    if (inFlight) {
      await inFlight;
      if (get().saveState === 'pending' || get().saveState === 'error') return saveNow();
      return;
    }
    const doc = get().doc;
    if (!doc) return;
    const sentRev = editRev;
    set({ saveState: 'saving' });
    inFlight = (async () => {
      try {
        const stored = await api.saveWorkshop({ workshop: doc });
        if (get().doc?.id !== stored.id) return;
        if (editRev === sentRev) set({ doc: stored, saved: stored, saveState: 'saved', saveError: null });
        else set({ doc: rebase(get().doc ?? doc, doc, stored), saved: stored, saveState: 'pending', saveError: null });
      } catch (err) {
        if (get().doc?.id === doc.id) set({ saveState: 'error', saveError: errorMessage(err) });
      }
    })();
    await inFlight;
    inFlight = null;
    if (get().saveState === 'pending') schedule();
  };

  const schedule = (): void => {
    clearTimer();
    timer = setTimeout(() => {
      timer = null;
      if (get().saveState !== 'saved') void saveNow();
    }, AUTOSAVE_DELAY_MS);
  };

  return {
    ...archivableList<WorkshopSummary>(set, get, (query) => api.listWorkshops(query)),
    createOpen: false,
    doc: null,
    saved: null,
    openError: null,
    saveState: 'saved',
    saveError: null,
    presenting: false,
    setCreateOpen: (createOpen) => set({ createOpen }),
    open: async (id) => {
      await get().flush();
      const reason = get().unsavedReason();
      if (reason) {
        useApp.getState().setArea('workshops');
        toast('error', reason);
        return;
      }
      try {
        const w = await api.getWorkshop({ id });
        get().show(w);
      } catch (err) {
        toast('error', `Could not open the workshop: ${errorMessage(err)}`);
      }
    },
    show: (w) => {
      clearTimer();
      editRev += 1;
      useApp.getState().setArea('workshops');
      set({ doc: w, saved: w, saveState: 'saved', saveError: null, openError: null, createOpen: false, presenting: false });
    },
    close: async () => {
      await get().flush();
      const reason = get().unsavedReason();
      if (reason) {
        toast('error', reason);
        return false;
      }
      set({ doc: null, saved: null, presenting: false });
      void get().refreshList();
      return true;
    },
    update: (change) => {
      const doc = get().doc;
      if (!doc) return;
      editRev += 1;
      set({ doc: change(doc), saveState: get().saveState === 'saving' ? 'saving' : 'pending' });
      schedule();
    },
    flush: async () => {
      if (timer !== null || get().saveState === 'pending' || get().saveState === 'error') await saveNow();
      else if (inFlight) await inFlight;
      // Typed while that save was on its way: send that too.
      for (let i = 0; i < 3 && get().doc && get().saveState === 'pending'; i++) await saveNow();
    },
    adopt: (w, personaId) => {
      const { doc, saved, saveState } = get();
      if (!doc || doc.id !== w.id) return;
      if (saveState === 'saved' && timer === null && !inFlight) {
        set({ doc: w, saved: w });
        return;
      }
      // Local edits are newer: keep them, and take only what the server changed for that persona.
      const server = personaId ? w.personas.find((p) => p.id === personaId) : undefined;
      const local = personaId ? doc.personas.find((p) => p.id === personaId) : undefined;
      if (server && local) {
        const before = saved?.personas.find((p) => p.id === personaId);
        const ruleUntouched = !before || sameJson(local.rule, before.rule);
        const merged = { ...local, segmentId: server.segmentId, ...(ruleUntouched ? { rule: server.rule, ruleEdited: server.ruleEdited } : {}) };
        set({ doc: { ...doc, personas: doc.personas.map((p) => (p.id === personaId ? merged : p)) }, saved: w });
      } else set({ saved: w });
    },
    unsavedReason: (before = 'leaving') => {
      const { doc, saveState, saveError } = get();
      if (!doc || (saveState === 'saved' && timer === null && !inFlight)) return null;
      if (saveState === 'error') return `Not saved: ${saveError ?? 'the server refused the changes'}. Fix it or undo the change before ${before}.`;
      return 'The last changes are still being saved. Try again in a moment.';
    },
    setPresenting: (presenting) => set({ presenting }),
    reload: async () => {
      const doc = get().doc;
      if (!doc || get().saveState !== 'saved') return;
      try {
        get().adopt(await api.getWorkshop({ id: doc.id }));
      } catch {
        // Keep what is shown; the next save says what is wrong.
      }
    },
  };
});
