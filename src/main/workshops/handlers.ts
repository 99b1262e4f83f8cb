/** The contract's workshop methods: documents, step-3 figures as of the workshop's instant, exports and bundles. */
import { join } from 'node:path';
import type { WorkshopHandlers } from '../../shared/contract/workshops';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';
import type { ExportFormat } from './export';
import { slugOf } from './export/text';
import type { WorkshopService } from './service';
import { computeUsage, thresholdSize } from './usage';

import { sinceTheWorkshop, type MessageLookup } from './since';

export interface WorkshopDeps {
  db: Db;
  workshops: WorkshopService;
  segments: SegmentService;
  /** The folder a window's exports go under, one subfolder per workshop (exports/ beside the cache). */
  exportsRoot: string;
  /** The instant asked for, else the cache's "data as of", else now. */
  defaultAsOf: (asOf?: number) => number;
  /** The messages linked from step 4, for the exports' "since the workshop" page (absent: no such page). */
  messages?: MessageLookup;
}

/** A workshop's step-3 instant: the one asked for, else its own, else the cache's. */
const usageAsOf = (deps: WorkshopDeps, stored: number | null, asked?: number): number => deps.defaultAsOf(asked ?? stored ?? undefined);

/**
 * Writes a workshop's export into `outDir` and lists the files. Any folder will do, so it is not a
 * contract method: a window reaches it only through exportWorkshop, which picks the folder itself.
 */
export async function writeWorkshopExport(deps: WorkshopDeps, id: string, format: ExportFormat, outDir: string): Promise<string[]> {
  const { db, workshops, segments } = deps;
  const workshop = workshops.get(id);
  // The bundle carries no figures: it needs nothing from the events, so it exports even if they cannot be read.
  const usage = workshop.template === 'personas' && format !== 'bundle' ? computeUsage(db, segments, workshop, usageAsOf(deps, workshop.asOf)) : null;
  // Loaded on first use: the PDF library costs every other command (and the import's memory) ~17 MB and ~0.1 s.
  const { exportWorkshop } = await import('./export');
  const since = deps.messages ? sinceTheWorkshop(workshop, deps.messages, deps.defaultAsOf()) : null;
  return exportWorkshop({ workshop, usage, since, bundle: () => workshops.bundle(id) }, format, outDir);
}

export function createWorkshopHandlers(deps: WorkshopDeps): WorkshopHandlers {
  const { db, workshops, segments } = deps;
  return {
    listWorkshops: ({ includeArchived }) => workshops.list(includeArchived ?? false),
    getWorkshop: ({ id }) => workshops.get(id),
    createWorkshop: (input) => workshops.create(input),
    saveWorkshop: ({ workshop }) => workshops.save(workshop),
    duplicateWorkshop: ({ id }) => workshops.duplicate(id),
    archiveWorkshop: ({ id, archived }) => workshops.setArchived(id, archived),
    deleteWorkshop: ({ id }) => workshops.delete(id),
    workshopUsage: ({ id, asOf }) => {
      const workshop = workshops.get(id);
      return computeUsage(db, segments, workshop, usageAsOf(deps, workshop.asOf, asOf));
    },
    personaThresholdSize: ({ id, personaId, threshold }) => {
      const workshop = workshops.get(id);
      return thresholdSize(db, segments, workshop, personaId, threshold, usageAsOf(deps, workshop.asOf));
    },
    savePersonaSegment: ({ id, personaId }) => workshops.savePersonaSegment(id, personaId),
    // Under exports/, in a folder named after the title by the same slug the exported files are named with.
    exportWorkshop: async ({ id, format }) => ({
      files: await writeWorkshopExport(deps, id, format, join(deps.exportsRoot, slugOf(workshops.get(id).title))),
    }),
    previewWorkshopBundle: ({ path }) => workshops.previewBundle(path),
    importWorkshopBundle: ({ path }) => ({ id: workshops.importBundle(path).id }),
  };
}
