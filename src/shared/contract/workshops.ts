/** The contract's workshop methods: the documents, their step-3 figures, exports and bundles. */
import { z } from 'zod';
import type { BundlePreview, SavedSegment } from '../types';
import { workshopIdSchema, type Workshop, type WorkshopSummary } from '../workshop/model';
import { TEMPLATE_IDS } from '../workshop/templates';
import type { ThresholdSize, WorkshopUsage } from '../workshop/usage';
import { epochMs, method, type HandlersFor } from './method';

const workshopId = workshopIdSchema;

export const workshopMethods = {
  /** Workshops, newest change first; archived ones only when asked. */
  listWorkshops: method<WorkshopSummary[]>()(z.object({ includeArchived: z.boolean().optional() }).strict()),
  getWorkshop: method<Workshop>()(z.object({ id: workshopId }).strict()),
  createWorkshop: method<Workshop>()(
    z
      .object({
        title: z.string().trim().min(1, 'give the workshop a title').max(200),
        account: z.string().max(200).optional(),
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the date is YYYY-MM-DD').optional(),
        template: z.enum(TEMPLATE_IDS),
        participants: z.array(z.object({ name: z.string().trim().min(1).max(200), role: z.string().max(500) }).strict()).max(100).optional(),
      })
      .strict(),
  ),
  /** Autosave: the whole document, validated (the error names the field); answers with the stored document. */
  saveWorkshop: method<Workshop>()(z.object({ workshop: z.unknown() }).strict()),
  duplicateWorkshop: method<Workshop>()(z.object({ id: workshopId }).strict()),
  archiveWorkshop: method<Workshop>()(z.object({ id: workshopId, archived: z.boolean() }).strict()),
  /** Removes a workshop; saveWorkshop with the same document brings it back (Undo). */
  deleteWorkshop: method<{ deleted: boolean }>()(z.object({ id: workshopId }).strict()),
  /** Step 3: every persona's figures as of the workshop's asOf (or the given one). */
  workshopUsage: method<WorkshopUsage>()(z.object({ id: workshopId, asOf: epochMs.optional() }).strict()),
  /** The persona's size if its threshold were `threshold` (the live figure while the facilitator drags). */
  personaThresholdSize: method<ThresholdSize>()(
    z.object({ id: workshopId, personaId: workshopId, threshold: z.number().int().min(0).max(1_000_000) }).strict(),
  ),
  /** Saves the persona's rule as a segment (or updates the one it is linked to) and links the two. */
  savePersonaSegment: method<{ workshop: Workshop; segment: SavedSegment }>()(
    z.object({ id: workshopId, personaId: workshopId }).strict(),
  ),
  /**
   * Writes the export into an exports folder beside the cache and lists the files. The window cannot name
   * the folder: a page that could would write files anywhere on disk. (The CLI's --out goes through
   * Backend.exportWorkshopTo, in-process.)
   */
  exportWorkshop: method<{ files: string[] }>()(z.object({ id: workshopId, format: z.enum(['pdf', 'csv', 'md', 'bundle']) }).strict()),
  /** What a .guidepost bundle holds, read and checked like an import but without changing anything (opening one from outside asks first). */
  previewWorkshopBundle: method<BundlePreview>()(z.object({ path: z.string().min(1, 'choose a file').max(4096) }).strict()),
  /** Recreates a workshop from a .guidepost bundle; a damaged or foreign file is refused and changes nothing. */
  importWorkshopBundle: method<{ id: string }>()(z.object({ path: z.string().min(1, 'choose a file').max(4096) }).strict()),
} as const;

export type WorkshopHandlers = HandlersFor<typeof workshopMethods>;
