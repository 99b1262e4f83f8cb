/**
 * Workshop exports: a PDF handout, one CSV per worksheet table, Markdown, and the .guidepost bundle.
 * Every format reads the same worksheet tables (tables.ts), so they agree on what a workshop holds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SinceTheWorkshop, Workshop } from '../../../shared/workshop/model';
import { templateOf } from '../../../shared/workshop/templates';
import type { WorkshopUsage } from '../../../shared/workshop/usage';
import { toCsv } from '../../../shared/csv';
import { workshopMarkdown } from './markdown';
import { workshopPdf } from './pdf';
import { notesTable, participantsTable, stepTables } from './tables';
import { slugOf, stepNumber } from './text';
import { zipFiles } from './zip';

export type ExportFormat = 'pdf' | 'csv' | 'md' | 'bundle';

export interface ExportInput {
  workshop: Workshop;
  /** Step 3's figures (null for a template without a usage step). */
  usage: WorkshopUsage | null;
  /** The chosen opportunities' messages as of now (null: not known, no such page). */
  since?: SinceTheWorkshop | null;
  /** The bundle's bytes, from WorkshopService.bundle. */
  bundle: () => string;
}

/** CSV files: `<NN>-<step-key>[-<table>].csv` per worksheet table, then the participants and the notes. */
export function csvFiles(w: Workshop, usage: WorkshopUsage | null): { name: string; content: string }[] {
  const files: { name: string; content: string }[] = [];
  templateOf(w.template).steps.forEach((step, index) => {
    for (const table of stepTables(w, step, usage)) {
      const name = `${stepNumber(index)}-${step.key}${table.name ? `-${table.name}` : ''}.csv`;
      files.push({ name, content: toCsv(table) });
    }
  });
  // Not a step's: numbered 00 so they sort ahead of the steps.
  files.push({ name: '00-participants.csv', content: toCsv(participantsTable(w)) });
  files.push({ name: '00-notes.csv', content: toCsv(notesTable(w)) });
  return files;
}

/** Writes the files into outDir (for CSV: `<slug>-csv.zip` first, then the separate files) (created if missing) and answers their absolute paths. */
export async function exportWorkshop(input: ExportInput, format: ExportFormat, outDir: string): Promise<string[]> {
  const { workshop: w, usage } = input;
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const slug = slugOf(w.title);
  let files: { name: string; content: string | Buffer }[];
  switch (format) {
    case 'csv': {
      // The separate files for a quick look, and all of them in one zip to hand on.
      const csv = csvFiles(w, usage);
      files = [{ name: `${slug}-csv.zip`, content: zipFiles(csv, new Date(w.updatedAt)) }, ...csv];
      break;
    }
    case 'md':
      files = [{ name: `${slug}.md`, content: workshopMarkdown(w, usage, input.since ?? null) }];
      break;
    case 'pdf':
      files = [{ name: `${slug}.pdf`, content: await workshopPdf(w, usage, input.since ?? null) }];
      break;
    case 'bundle':
      files = [{ name: `${slug}.guidepost`, content: input.bundle() }];
      break;
    default: {
      const never: never = format;
      throw new Error(`Unknown export format: ${String(never)}`);
    }
  }
  const paths: string[] = [];
  for (const f of files) {
    const path = join(dir, f.name);
    await writeFile(path, f.content);
    paths.push(path);
  }
  return paths;
}
