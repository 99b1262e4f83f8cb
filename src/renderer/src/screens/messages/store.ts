/**
 * The Messages area's state: the list, the message being edited (kept here so switching areas keeps
 * what was typed), the outbox as the backend pushes it, and the targets a message can point at.
 * Edits autosave once the draft is valid and typing pauses; an invalid draft stays in memory and
 * says what to fix.
 */
import { create } from 'zustand';
import type { MessageDraft, MessageKind, MessageRecord, OutboxItem } from '../../../../shared/messages/model';
import type { SavedSegment } from '../../../../shared/types';
import { api, errorMessage, onBackendEvent } from '../../lib/api';
import { archivableList, type ArchivableList } from '../../lib/archivable-list';
import { useApp } from '../../store';
import { toast } from '../../ui/toast';
import { toastOnError } from '../../ui/toastOnError';
import { newDraft, OP_LABELS, validate } from './model';

export type ListTab = 'messages' | 'outbox' | 'environments';
export type MessageTab = 'edit' | 'results';

export interface PersonaTarget {
  workshopId: string;
  workshopTitle: string;
  personaId: string;
  personaName: string;
}

export type SaveState = 'saved' | 'dirty' | 'invalid' | 'saving' | 'error';

interface MessagesState extends ArchivableList<MessageRecord> {
  listTab: ListTab;
  outbox: OutboxItem[] | null;
  /** The message being edited: its draft, what the backend last stored, and the save state. */
  openId: string | null;
  draft: MessageDraft | null;
  record: MessageRecord | null;
  /** The stored document as text, to tell unsaved changes (null: never saved). */
  baseline: string | null;
  saveState: SaveState;
  saveError: string | null;
  /** The leave prompt is up: the draft cannot be saved and something asked to replace it. */
  leaving: boolean;
  tab: MessageTab;
  segments: SavedSegment[];
  personas: PersonaTarget[];
  setListTab(tab: ListTab): void;
  refreshOutbox(): Promise<void>;
  loadTargets(): Promise<void>;
  /**
   * newMessage, open and close replace the open draft only once it is saved (a valid one is saved first);
   * one that is invalid or failed to save brings up the leave prompt instead, and the replacing waits for
   * discardChanges().
   */
  newMessage(kind: MessageKind): void;
  open(id: string, tab?: MessageTab): Promise<void>;
  /** Back to the list; `then` runs once the draft is closed (not if the user keeps editing). */
  close(then?: () => void): void;
  /** The leave prompt's "Keep editing": nothing is replaced. */
  keepEditing(): void;
  /** The leave prompt's "Discard changes": drops the draft and does what was asked. */
  discardChanges(): void;
  setTab(tab: MessageTab): void;
  edit(change: (draft: MessageDraft) => MessageDraft): void;
  /** Saves now (when valid); resolves to the stored record, or null when it could not be saved. */
  flush(): Promise<MessageRecord | null>;
  /** Takes a record the backend answered with (publish, a command, an outbox event). */
  absorb(record: MessageRecord): void;
}

const AUTOSAVE_MS = 700;
let timer: ReturnType<typeof setTimeout> | undefined;
let saving: Promise<MessageRecord | null> | null = null;
let connected = false;
/** What waits for the leave prompt's "Discard changes". */
let afterLeave: (() => void) | null = null;
/** The last state each outbox item was seen in, so a toast says each outcome once. */
const seen = new Map<number, OutboxItem['state']>();

const snapshot = (draft: MessageDraft): string => JSON.stringify(draft);

export const useMessages = create<MessagesState>((set, get) => {
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void get().flush(), AUTOSAVE_MS);
  };

  const save = async (): Promise<MessageRecord | null> => {
    const draft = get().draft;
    if (!draft) return null;
    if (Object.keys(validate(draft)).length > 0) {
      set({ saveState: 'invalid' });
      return null;
    }
    const text = snapshot(draft);
    if (text === get().baseline && get().record) {
      set({ saveState: 'saved' });
      return get().record;
    }
    set({ saveState: 'saving' });
    try {
      const record = await api.saveMessage({ message: draft });
      const now = get().draft;
      if (now?.id !== draft.id) return record;
      // Keep what was typed meanwhile; what was sent becomes the baseline.
      const dirty = snapshot(now) !== text;
      set({ record, baseline: text, saveState: dirty ? 'dirty' : 'saved', saveError: null });
      if (dirty) schedule();
      upsert(record);
      return record;
    } catch (err) {
      set({ saveState: 'error', saveError: errorMessage(err) });
      return null;
    }
  };

  const drop = (): void => {
    clearTimeout(timer);
    afterLeave = null;
    set({ openId: null, draft: null, record: null, baseline: null, saveState: 'saved', saveError: null, leaving: false });
  };

  /** Runs `next` (which replaces the draft) once the open draft is saved; an unsaved one brings up the leave prompt. */
  const leave = async (next: () => void): Promise<void> => {
    const draft = get().draft;
    if (!draft) {
      next();
      return;
    }
    await get().flush();
    // Typed while that save was on its way: save that too.
    for (let i = 0; i < 3 && get().draft?.id === draft.id && get().saveState === 'dirty'; i++) await get().flush();
    const now = get();
    if (now.draft?.id !== draft.id) return; // Something else replaced it meanwhile.
    if (now.saveState === 'saved') {
      afterLeave = null;
      set({ leaving: false });
      next();
      return;
    }
    afterLeave = next;
    useApp.getState().setArea('messages');
    set({ leaving: true });
  };

  const upsert = (record: MessageRecord): void => {
    const list = get().list;
    if (!list) return;
    const at = list.findIndex((r) => r.message.id === record.message.id);
    if (at >= 0) set({ list: list.map((r, i) => (i === at ? record : r)) });
    else set({ list: [record, ...list] });
  };

  return {
    ...archivableList<MessageRecord>(set, get, (query) => api.listMessages(query)),
    listTab: 'messages',
    outbox: null,
    openId: null,
    draft: null,
    record: null,
    baseline: null,
    saveState: 'saved',
    saveError: null,
    leaving: false,
    tab: 'edit',
    segments: [],
    personas: [],
    setListTab: (listTab) => {
      set({ listTab });
      if (listTab === 'outbox') void get().refreshOutbox();
    },
    refreshOutbox: async () => {
      const outbox = await toastOnError(() => api.listOutbox({}), 'Could not read the outbox');
      if (outbox) set({ outbox });
    },
    loadTargets: () =>
      toastOnError(async () => {
        const [segments, workshops] = await Promise.all([api.listSegments({}), api.listWorkshops({})]);
        set({ segments: [...segments].sort((a, b) => a.name.localeCompare(b.name)) });
        const docs = await Promise.all(workshops.filter((w) => w.personas > 0).map((w) => api.getWorkshop({ id: w.id })));
        set({
          personas: docs.flatMap((w) =>
            w.personas.map((p) => ({ workshopId: w.id, workshopTitle: w.title, personaId: p.id, personaName: p.name })),
          ),
        });
      }, 'Could not read the segments and personas'),
    newMessage: (kind) => void leave(() => {
      clearTimeout(timer);
      useApp.getState().setArea('messages');
      // Aimed at no one until the author picks who: an invalid draft is not saved, so nothing is stored
      // silently aimed at whichever segment happened to be first (issue 17). The editor says so.
      const draft = newDraft(kind, null);
      set({ openId: draft.id, draft, record: null, baseline: null, saveState: 'dirty', saveError: null, tab: 'edit' });
      schedule();
      if (get().segments.length === 0) void get().loadTargets();
    }),
    open: async (id, tab = 'edit') => {
      if (get().draft && get().openId === id) {
        // Already open: show it, keeping what was typed.
        useApp.getState().setArea('messages');
        set({ tab });
        return;
      }
      const record = await toastOnError(() => api.getMessage({ id }));
      if (!record) return;
      await leave(() => {
        clearTimeout(timer);
        useApp.getState().setArea('messages');
        set({ openId: id, draft: record.message, record, baseline: snapshot(record.message), saveState: 'saved', saveError: null, tab });
      });
    },
    close: (then) =>
      void leave(() => {
        drop();
        void get().refreshList();
        then?.();
      }),
    keepEditing: () => {
      afterLeave = null;
      set({ leaving: false });
    },
    discardChanges: () => {
      const next = afterLeave;
      drop();
      void get().refreshList();
      next?.();
    },
    setTab: (tab) => set({ tab }),
    edit: (change) => {
      const draft = get().draft;
      if (!draft) return;
      const next = change(draft);
      const valid = Object.keys(validate(next)).length === 0;
      set({ draft: next, saveState: valid ? 'dirty' : 'invalid' });
      if (valid) schedule();
      else clearTimeout(timer);
    },
    flush: async () => {
      clearTimeout(timer);
      if (saving) await saving;
      saving = save();
      try {
        return await saving;
      } finally {
        saving = null;
      }
    },
    absorb: (record) => {
      upsert(record);
      if (get().openId === record.message.id) set({ record });
    },
  };
});

/** Follows the outbox as the backend pushes it: the open message, the list and the outbox panel stay live. */
export function connectOutbox(): void {
  if (connected) return;
  connected = true;
  onBackendEvent((event) => {
    if (event.name !== 'outbox') return;
    const item = event.payload as OutboxItem;
    const state = useMessages.getState();
    if (state.outbox) {
      const others = state.outbox.filter((o) => o.id !== item.id);
      useMessages.setState({ outbox: [item, ...others].sort((a, b) => b.id - a.id) });
    }
    const patch = (record: MessageRecord): MessageRecord =>
      record.message.id !== item.messageId
        ? record
        : { ...record, outbox: [item, ...record.outbox.filter((o) => o.id !== item.id)].sort((a, b) => b.id - a.id) };
    useMessages.setState({
      list: state.list?.map(patch) ?? null,
      record: state.record ? patch(state.record) : null,
    });
    const before = seen.get(item.id);
    seen.set(item.id, item.state);
    if (before !== item.state && (item.state === 'published' || item.state === 'conflict' || item.state === 'failed')) {
      // Status and published version move with the outcome: read the record again.
      api
        .getMessage({ id: item.messageId })
        .then((record) => useMessages.getState().absorb(record))
        .catch(() => undefined);
      const name = state.list?.find((r) => r.message.id === item.messageId)?.message.name ?? item.messageId;
      const what = `${OP_LABELS[item.op]} “${name}”`;
      const open = { label: 'Open', run: () => void useMessages.getState().open(item.messageId) };
      if (item.state === 'published') toast('success', `${what}: done${item.version !== null ? ` (version ${item.version})` : ''}.`, open);
      else if (item.state === 'conflict') toast('error', `${what}: the server has a newer version. Nothing was overwritten.`, open);
      else toast('error', `${what} failed: ${item.lastError ?? 'unknown error'}`, open);
    }
  });
}
