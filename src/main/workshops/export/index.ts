/**
 * Workshop exports: a PDF handout, one CSV per worksheet table, Markdown, and the .guidepost bundle.
 */
import { ApiError } from '../../../shared/errors';
import type { Workshop } from '../../../shared/workshop/model';
import type { WorkshopUsage } from '../../../shared/workshop/usage';

export type ExportFormat = 'pdf' | 'csv' | 'md' | 'bundle';

export interface ExportInput {
  workshop: Workshop;
  /** Step 3's figures (null for a template without a usage step). */
  usage: WorkshopUsage | null;
  /** The bundle's bytes, from WorkshopService.bundle. */
  bundle: () => string;
}

/** Writes the files into outDir (created if missing) and answers their absolute paths. */
export async function exportWorkshop(_input: ExportInput, _format: ExportFormat, _outDir: string): Promise<string[]> {
  throw new ApiError('unavailable', 'Exports are being built.');
}
