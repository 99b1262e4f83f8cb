/**
 * The list part of an area's store, for items that can be archived (messages, workshops): what the
 * backend last answered, why the last read failed, and whether archived items show.
 */
import { errorMessage } from './api';

export interface ArchivableList<Item> {
  /** Null until the first read answers. */
  list: Item[] | null;
  /** Why the last read failed; the last list stays on screen. */
  listError: string | null;
  includeArchived: boolean;
  refreshList(): Promise<void>;
  /** Shows or hides the archived items, and reads the list again. */
  setIncludeArchived(on: boolean): void;
}

/** The list's state and actions, to spread into a zustand store; `read` asks the backend. */
export function archivableList<Item>(
  set: (change: Partial<ArchivableList<Item>>) => void,
  get: () => ArchivableList<Item>,
  read: (query: { includeArchived: boolean }) => Promise<Item[]>,
): ArchivableList<Item> {
  return {
    list: null,
    listError: null,
    includeArchived: false,
    refreshList: async () => {
      try {
        set({ list: await read({ includeArchived: get().includeArchived }), listError: null });
      } catch (err) {
        set({ listError: errorMessage(err) });
      }
    },
    setIncludeArchived: (includeArchived) => {
      set({ includeArchived });
      void get().refreshList();
    },
  };
}
