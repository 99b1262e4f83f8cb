/** `guidepost workshop list|export|import`: the workshops, an export into a folder, a bundle brought in. */
import { resolve } from 'node:path';
import { withBackend } from './backend';
import type { Command } from './command';

export const workshopCommand: Command = {
  summary: 'List workshops, export one (pdf, csv, md or a .guidepost bundle), or import a .guidepost bundle.',
  usage:
    'guidepost workshop list [--archived] [--db <file>] [--json]\n' +
    '       guidepost workshop export --workshop <id> --format pdf|csv|md|bundle --out <dir> [--db <file>] [--json]\n' +
    '       guidepost workshop import <file.guidepost> [--db <file>] [--json]',
  options: { workshop: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, archived: { type: 'boolean', default: false } },
  run: (ctx) =>
    withBackend(ctx, async ({ handlers, exportWorkshopTo }) => {
      const [action, ...args] = ctx.positionals;
      if (action === 'list') {
        if (args.length > 0) throw new Error(`unexpected argument "${args[0]}".`);
        const list = await handlers.listWorkshops({ includeArchived: ctx.values.archived === true });
        const workshops = list.map((w) => ({ id: w.id, title: w.title, template: w.template, updatedAt: new Date(w.updatedAt).toISOString() }));
        const text =
          workshops.length === 0
            ? 'No workshops yet.'
            : workshops.map((w) => `${w.id}  ${w.title}  (${w.template}, updated ${w.updatedAt})`).join('\n');
        return { data: { workshops }, text };
      }
      if (action === 'export') {
        if (args.length > 0) throw new Error(`unexpected argument "${args[0]}".`);
        const id = ctx.values.workshop as string | undefined;
        if (!id) throw new Error('name the workshop with --workshop <id> (see `guidepost workshop list`).');
        const format = ctx.values.format;
        if (format !== 'pdf' && format !== 'csv' && format !== 'md' && format !== 'bundle') {
          throw new Error(`--format must be pdf, csv, md or bundle, not ${format === undefined ? 'missing' : `"${String(format)}"`}.`);
        }
        const out = ctx.values.out as string | undefined;
        if (!out) throw new Error('name the folder to write into with --out <dir>.');
        // Past the contract on purpose: the person at the terminal names any folder, which no window may.
        const files = await exportWorkshopTo(id, format, resolve(out));
        return { data: { files }, text: files.join('\n') };
      }
      if (action === 'import') {
        const [file, ...extra] = args;
        if (!file || extra.length > 0) throw new Error('name exactly one .guidepost file to import.');
        const { id } = await handlers.importWorkshopBundle({ path: resolve(file) });
        return { data: { id }, text: `Imported the workshop as ${id}.` };
      }
      throw new Error('say `workshop list`, `workshop export` or `workshop import`.');
    }),
};
