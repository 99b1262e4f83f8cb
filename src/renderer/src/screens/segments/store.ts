/**
 * The Segments area's state: which view is showing, the saved segments, the segment being edited
 * (kept here so switching areas keeps unsaved work), and what the builder suggests from (the event
 * catalog and the trait keys of a sample of users).
 */
import { create } from 'zustand';
import type { Estimate } from '../../../../shared/estimate';
import type { Rule } from '../../../../shared/segments/rule';
import type { EventCatalogEntry, SavedSegment } from '../../../../shared/types';
import { api, errorMessage } from '../../lib/api';
import { useApp } from '../../store';
import { toast } from '../../ui/toast';
import { toastOnError } from '../../ui/toastOnError';
import { emptyRoot, fromRule, toRule, type EditGroup } from './model';

export type SegmentsView = { kind: 'list' } | { kind: 'builder' } | { kind: 'compare'; preselect?: string[] };

export interface SegmentDraft {
  /** The saved segment being edited, or null for a new one. */
  id: string | null;
  name: string;
  description: string;
  root: EditGroup;
  /** What was last saved (or opened), to tell unsaved changes. */
  baseline: string;
  /** Bumped each time another segment or template opens, so the builder puts the cursor in the name. */
  opened: number;
}

export interface TraitInfo {
  key: string;
  /** A few values seen in the sample, for suggestions. */
  values: string[];
}

export interface SegmentSize {
  /** Which version of the segment and of the data the figure is for. */
  stamp: string;
  count: number;
  total: number;
  /** The count to show: exact, or scaled from a sample of users with its interval; absent on an error. */
  estimate?: Estimate;
  warnings: string[];
}

export interface NewSegmentSeed {
  name: string;
  description: string;
  rule: Rule;
}

interface SegmentsState {
  view: SegmentsView;
  segments: SavedSegment[] | null;
  listError: string | null;
  draft: SegmentDraft | null;
  /** A navigation waiting for the user to save or discard the draft's changes; `asked` tells each question from the last. */
  pending: { label: string; run: () => void; asked: number } | null;
  templateOpen: boolean;
  catalog: EventCatalogEntry[] | null;
  traits: TraitInfo[];
  /** Account trait keys (from the first page of accounts), for account conditions. */
  accountTraits: TraitInfo[];
  /** The dataVersion the catalog and traits were read at. */
  metaVersion: number | null;
  sizes: Record<string, SegmentSize>;
  refreshSegments(): Promise<void>;
  loadMeta(): Promise<void>;
  showList(): void;
  newSegment(seed?: NewSegmentSeed): void;
  openSegment(id: string): Promise<void>;
  showCompare(preselect?: string[]): void;
  setDraft(change: Partial<Pick<SegmentDraft, 'name' | 'description' | 'root'>>): void;
  /** Saves the draft; resolves to the saved segment, or throws the backend's error. */
  saveDraft(): Promise<SavedSegment>;
  resolvePending(choice: 'continue' | 'stay'): void;
  setTemplateOpen(open: boolean): void;
  setSize(id: string, size: SegmentSize): void;
}

/** The trait keys of a sample of users or accounts, each with a few of its values, for suggestions. */
export function traitInfo(samples: readonly Record<string, unknown>[]): TraitInfo[] {
  const values = new Map<string, Set<string>>();
  for (const traits of samples) {
    for (const [key, value] of Object.entries(traits)) {
      const seen = values.get(key) ?? new Set<string>();
      if ((typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && seen.size < 40) seen.add(String(value));
      values.set(key, seen);
    }
  }
  return [...values.entries()]
    .map(([key, seen]) => ({ key, values: [...seen].sort((a, b) => a.localeCompare(b)) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

let opened = 0;
let asked = 0;

/** What the draft would save, as text: equal texts mean nothing to save. */
export function draftSnapshot(d: Pick<SegmentDraft, 'name' | 'description' | 'root'>): string {
  return JSON.stringify([d.name.trim(), d.description.trim(), toRule(d.root).json]);
}

export function isDirty(draft: SegmentDraft | null): boolean {
  return draft !== null && draftSnapshot(draft) !== draft.baseline;
}

function makeDraft(id: string | null, name: string, description: string, root: EditGroup): SegmentDraft {
  opened += 1;
  const draft = { id, name, description, root, baseline: '', opened };
  // A new, blank segment has nothing worth keeping; a template or a saved one starts clean too.
  return { ...draft, baseline: draftSnapshot(draft) };
}

export const useSegments = create<SegmentsState>((set, get) => {
  /** Runs a navigation away from the builder now, or after the user decides about unsaved changes. */
  const guard = (label: string, run: () => void): void => {
    const { view, draft } = get();
    if (view.kind === 'builder' && isDirty(draft)) {
      // The question shows in the builder, wherever the navigation came from (the palette, say).
      useApp.getState().setArea('segments');
      asked += 1;
      set({ pending: { label, run, asked } });
    } else run();
  };

  return {
    view: { kind: 'list' },
    segments: null,
    listError: null,
    draft: null,
    pending: null,
    templateOpen: false,
    catalog: null,
    traits: [],
    accountTraits: [],
    metaVersion: null,
    sizes: {},
    refreshSegments: async () => {
      try {
        set({ segments: await api.listSegments({}), listError: null });
      } catch (err) {
        set({ listError: errorMessage(err) });
      }
    },
    loadMeta: async () => {
      const version = useApp.getState().dataVersion;
      if (get().metaVersion === version) return;
      set({ metaVersion: version });
      try {
        const [catalog, page, accounts] = await Promise.all([
          api.listEventCatalog({}),
          api.listUsers({ limit: 200 }),
          api.listAccounts({ limit: 200 }),
        ]);
        set({
          catalog: [...catalog].sort((a, b) => a.name.localeCompare(b.name)),
          traits: traitInfo(page.users.map((u) => u.traits)),
          accountTraits: traitInfo(accounts.accounts.map((a) => a.traits)),
        });
      } catch (err) {
        set({ metaVersion: null });
        toast('error', `Could not read the event catalog: ${errorMessage(err)}`);
      }
    },
    showList: () =>
      guard('go back to the list', () => {
        set({ view: { kind: 'list' }, pending: null });
        void get().refreshSegments();
      }),
    newSegment: (seed) =>
      guard(seed ? `start from “${seed.name}”` : 'start a new segment', () => {
        useApp.getState().setArea('segments');
        const draft = seed ? makeDraft(null, seed.name, seed.description, fromRule(seed.rule)) : makeDraft(null, '', '', emptyRoot());
        set({ view: { kind: 'builder' }, draft, pending: null, templateOpen: false });
      }),
    openSegment: async (id) => {
      const segment = await toastOnError(() => api.getSegment({ id }));
      if (!segment) return;
      guard(`open “${segment.name}”`, () => {
        useApp.getState().setArea('segments');
        set({ view: { kind: 'builder' }, draft: makeDraft(segment.id, segment.name, segment.description, fromRule(segment.rule)), pending: null });
      });
    },
    showCompare: (preselect) =>
      guard('compare segments', () => {
        useApp.getState().setArea('segments');
        set({ view: { kind: 'compare', ...(preselect ? { preselect } : {}) }, pending: null });
        void get().refreshSegments();
      }),
    setDraft: (change) => {
      const draft = get().draft;
      if (draft) set({ draft: { ...draft, ...change } });
    },
    saveDraft: async () => {
      const draft = get().draft;
      if (!draft) throw new Error('Nothing to save.');
      const built = toRule(draft.root);
      const saved = await api.saveSegment({
        ...(draft.id ? { id: draft.id } : {}),
        name: draft.name.trim(),
        description: draft.description.trim(),
        rule: built.json,
      });
      const now = get().draft;
      // Keep what the user typed meanwhile; the saved version becomes the baseline.
      if (now) set({ draft: { ...now, id: saved.id, baseline: draftSnapshot(draft) } });
      const others = (get().segments ?? []).filter((s) => s.id !== saved.id);
      set({ segments: [...others, saved].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })) });
      return saved;
    },
    resolvePending: (choice) => {
      const pending = get().pending;
      set({ pending: null });
      if (choice === 'continue' && pending) pending.run();
    },
    setTemplateOpen: (templateOpen) => set({ templateOpen }),
    setSize: (id, size) => set({ sizes: { ...get().sizes, [id]: size } }),
  };
});
