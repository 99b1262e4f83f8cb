/**
 * Workshop exports: every CSV parses with a standard parser and holds the worksheet's rows, the Markdown
 * has every step and keeps authored text literal, the PDF has a page per step (plus the cover) and renders
 * with poppler, and the bundle is written as given.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { exportWorkshop, type ExportInput } from '../../src/main/workshops/export';
import { mdCell, mdText } from '../../src/main/workshops/export/markdown';
import { winAnsi } from '../../src/main/workshops/export/pdf-text';
import { slugOf } from '../../src/main/workshops/export/text';
import { describeRule } from '../../src/shared/segments/describe';
import { AREA_LABELS, workshopSchema, type Workshop } from '../../src/shared/workshop/model';
import { templateOf } from '../../src/shared/workshop/templates';
import type { WorkshopUsage } from '../../src/shared/workshop/usage';
import { AWKWARD, FORMULA, personasUsage, personasWorkshop, segmentationWorkshop } from './fixtures/workshop';

const dirs: string[] = [];
function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'guidepost-export-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function input(workshop: Workshop, usage: WorkshopUsage | null, bundle = '{"format":1}'): ExportInput {
  return { workshop, usage, bundle: () => bundle };
}

/** What a spreadsheet-safe cell looks like (the export's formula guard, restated independently). */
function guarded(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell) ? `'${cell}` : cell;
}

function readCsv(path: string): string[][] {
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 3)], `${basename(path)} starts with a UTF-8 BOM`).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8');
  // Records end in CRLF; a bare LF only ever appears inside a quoted field.
  expect(text.endsWith('\r\n')).toBe(true);
  return parse(text, { bom: true, record_delimiter: '\r\n', relax_column_count: false }) as string[][];
}

function expectCsv(path: string, header: string[], rows: string[][]): void {
  const records = readCsv(path);
  expect(records[0]).toEqual(header);
  expect(records.slice(1)).toEqual(rows.map((r) => r.map(guarded)));
}

/** Info-ZIP's unzip, a reader we did not write; the zip tests need it and fail (not skip) without it. */
function unzip(args: string[]): string {
  const run = spawnSync('unzip', args, { encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('unzip is missing: apt-get install -y unzip (.ci/run installs it).');
  if (run.status !== 0) throw new Error(`unzip ${args.join(' ')} failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** A command from poppler-utils; the PDF tests need it and fail (not skip) without it. */
function poppler(command: 'pdfinfo' | 'pdftoppm' | 'pdftotext', args: string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${command} is missing: install poppler-utils (apt-get install -y poppler-utils; .ci/run installs it).`);
  }
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

function pageCount(pdf: string): number {
  const match = /^Pages:\s+(\d+)$/m.exec(poppler('pdfinfo', [pdf]));
  if (!match?.[1]) throw new Error('pdfinfo printed no page count');
  return Number(match[1]);
}

/** Renders every page at 40 dpi and answers the PNGs' sizes, one per page. */
function renderPages(pdf: string): number[] {
  const dir = outDir();
  poppler('pdftoppm', ['-png', '-r', '40', pdf, join(dir, 'page')]);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => statSync(join(dir, f)).size);
}

describe('the fixtures', () => {
  it('are valid workshops', () => {
    expect(workshopSchema.safeParse(personasWorkshop()).success).toBe(true);
    expect(workshopSchema.safeParse(segmentationWorkshop()).success).toBe(true);
  });
});

describe('CSV export', () => {
  const w = personasWorkshop();
  const usage = personasUsage(w);
  const names = (ids: string[]): string => ids.map((id) => w.personas.find((p) => p.id === id)?.name ?? id).join('; ');

  it('writes one RFC 4180 file per worksheet table, each holding the worksheet rows', async () => {
    const dir = outDir();
    const paths = await exportWorkshop(input(w, usage), 'csv', dir);
    expect(paths.every(isAbsolute)).toBe(true);
    expect(paths.map((p) => basename(p)).sort()).toEqual(
      [
        `${slugOf(w.title)}-csv.zip`,
        '00-notes.csv',
        '00-participants.csv',
        '01-brainstorm-overlap.csv',
        '01-brainstorm-use-cases.csv',
        '02-behaviors-personas.csv',
        '03-usage-actions.csv',
        '03-usage-figures.csv',
        '03-usage-histogram.csv',
        '03-usage-overlap.csv',
        '04-priorities-opportunities.csv',
      ].sort(),
    );
    const file = (name: string): string => join(dir, name);

    expectCsv(
      file('01-brainstorm-use-cases.csv'),
      ['Use case', 'Value proposition', 'Personas'],
      w.useCases.map((u) => [u.name, u.valueProposition, names(u.personaIds)]),
    );
    expectCsv(
      file('01-brainstorm-overlap.csv'),
      ['Persona', ...w.useCases.map((u) => guarded(u.name))],
      w.personas.map((p) => [p.name, ...w.useCases.map((u) => (u.personaIds.includes(p.id) ? 'x' : ''))]),
    );
    const personas = readCsv(file('02-behaviors-personas.csv'));
    expect(personas[0]).toEqual(['Persona', 'Description', 'Actions', 'Jobs to be done', 'Frequency', 'Threshold', 'Window (days)', 'Also does', 'Never does', 'Rule']);
    expect(personas.slice(1)).toEqual(
      w.personas.map((p) =>
        [p.name, p.description, p.actions.join('; '), p.jobs.join('; '), p.frequency, String(p.threshold), String(p.windowDays), p.include.join('; '), p.exclude.join('; '), describeRule(p.rule)].map(guarded),
      ),
    );
    expect(personas[1]?.[1]).toBe(AWKWARD); // commas, quotes, a line break, “unicode” and emoji survive as typed

    const figures = readCsv(file('03-usage-figures.csv'));
    expect(figures.slice(1).map((r) => [r[0], r[4], r[5]])).toEqual(usage.personas.map((p) => [p.name, String(p.users), String(Math.round(p.shareOfBase * 1000) / 10)]));
    expect(figures[3]?.at(-1)).toBe('The persona has no key action yet.');
    expectCsv(
      file('03-usage-overlap.csv'),
      ['Persona', ...usage.personas.map((p) => p.name)],
      usage.personas.map((p, i) => [p.name, ...(usage.overlap[i] ?? []).map(String)]),
    );
    expect(readCsv(file('03-usage-histogram.csv')).length - 1).toBe(usage.personas.reduce((n, p) => n + p.histogram.length, 0));
    expect(readCsv(file('03-usage-actions.csv')).length - 1).toBe(usage.personas.reduce((n, p) => n + p.actions.length, 0));

    const opportunities = readCsv(file('04-priorities-opportunities.csv'));
    expect(opportunities[0]).toEqual([
      'Opportunity',
      'Persona',
      'Area',
      'Improvement %',
      'Group size',
      'Impact (users)',
      'Effort (1-5)',
      'Confidence (1-5)',
      'Benchmark',
      'Goal',
      'Votes',
      'Chosen',
      'Rank',
      'Notes',
    ]);
    expect(opportunities.slice(1)).toEqual(
      [
        // Digest: 3 votes, 12.5% of 420 users; invite: 1 vote, 30% of 130; upsell: no persona, so no size or impact.
        ['Weekly digest, “one click”', 'Power “reporter”', AREA_LABELS.engagement, '12.5', '420', '53', '2', '4', '40% WAU (industry)', '-5% churn', '3', 'yes', '1', AWKWARD],
        [FORMULA, 'Admin, Ops', AREA_LABELS.acquisition, '30', '130', '39', '4', '2', '', '', '1', 'no', '2', ''],
        ['Upsell the newcomers', '', AREA_LABELS.monetization, '5', '', '', '1', '1', '', '@board', '0', 'no', '3', ''],
      ].map((r) => r.map(guarded)),
    );

    expectCsv(file('00-participants.csv'), ['Name', 'Role'], w.participants.map((p) => [p.name, p.role]));
    expectCsv(file('00-notes.csv'), ['Step', 'Participant', 'Text'], [
      ['Brainstorm key behavioral personas', 'Room', 'Room notes:\n# not a heading\n- not a list'],
      ['Brainstorm key behavioral personas', 'Ana Müller', AWKWARD],
      ['Map usage patterns with data', 'Room', 'Six runs looks like the line.'],
      ['Prioritize actions and investments', 'Bo "the facilitator"', FORMULA],
    ]);
  });

  it('puts every CSV file, byte for byte, into one zip beside them, which Info-ZIP reads and verifies', async () => {
    const dir = outDir();
    const paths = await exportWorkshop(input(w, usage), 'csv', dir);
    const zip = join(dir, `${slugOf(w.title)}-csv.zip`);
    expect(paths[0]).toBe(zip);
    const csvNames = paths.slice(1).map((p) => basename(p));
    // -t checks each entry's CRC-32 and sizes; -Z1 lists the names.
    expect(unzip(['-t', zip])).toContain('No errors detected');
    expect(unzip(['-Z1', zip]).trim().split('\n').sort()).toEqual([...csvNames].sort());
    for (const name of csvNames) {
      const inZip = spawnSync('unzip', ['-p', zip, name]).stdout;
      expect(inZip.equals(readFileSync(join(dir, name))), name).toBe(true);
    }
  });

  it('quotes and guards cells as RFC 4180 and spreadsheets need', async () => {
    const dir = outDir();
    await exportWorkshop(input(w, usage), 'csv', dir);
    const raw = readFileSync(join(dir, '04-priorities-opportunities.csv'), 'utf8');
    // A formula becomes text; its quotes are doubled inside a quoted field.
    expect(raw).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(raw).toContain("'@board");
    expect(raw).toContain("'-5% churn");
    expect(raw).toContain('"Comma, ""quoted"", line\nbreak “smart” café 🚀 *not bold* | pipe <b>tag</b>"');
    // Outside quoted fields every LF is part of a CRLF.
    expect(/(?<!\r)\n/.test(raw.replace(/"(?:[^"]|"")*"/g, ''))).toBe(false);
  });

  it('writes the segmentation template’s tables with their declared columns', async () => {
    const s = segmentationWorkshop();
    const dir = outDir();
    const paths = await exportWorkshop(input(s, null), 'csv', dir);
    const steps = templateOf('segmentation').steps;
    for (const [index, step] of steps.entries()) {
      if (step.worksheet !== 'table') continue;
      const path = join(dir, `${String(index + 1).padStart(2, '0')}-${step.key}.csv`);
      expect(paths).toContain(path);
      const columns = step.columns ?? [];
      expectCsv(
        path,
        columns.map((c) => c.label),
        (s.steps[step.key]?.rows ?? []).map((r) => columns.map((c) => r.cells[c.key] ?? '')),
      );
    }
    const opportunities = readCsv(join(dir, '10-prioritize-opportunities.csv'));
    expect(opportunities.slice(1).map((r) => [r[0], r[11], r[12]])).toEqual([['Onboarding checklist test', 'yes', '1']]);
  });
});

describe('Markdown export', () => {
  it('has every step, the tables, the figures and the ranked priorities, with authored text kept literal', async () => {
    const w = personasWorkshop();
    const [path] = await exportWorkshop(input(w, personasUsage(w)), 'md', outDir());
    expect(basename(path ?? '')).toBe('acme-q3-persona-workshop-zurich.md');
    const md = readFileSync(path ?? '', 'utf8');
    templateOf('personas').steps.forEach((s, i) => expect(md).toContain(`## Step ${i + 1}. ${s.title}`));
    for (const prompt of templateOf('personas').steps.flatMap((s) => s.prompts)) expect(md).toContain(prompt);
    // Authored Markdown, HTML and table pipes are escaped; line breaks in cells are <br>.
    expect(md).toContain('Comma, "quoted", line<br>break “smart” café 🚀 \\*not bold\\* \\| pipe \\<b\\>tag\\</b\\>');
    expect(md).not.toContain('*not bold*');
    expect(md).toContain('\\# not a heading');
    expect(md).toContain('\\- not a list');
    expect(md).toContain('http\\://evil.example');
    expect(md).toContain('Install base: 2,000 users');
    expect(md).toMatch(/^1\. \*\*Chosen:\*\* Weekly digest, “one click”/m);
    expect(md).toMatch(/^3\. Upsell the newcomers/m);
    expect(md).toContain('**Ana Müller**');
  });

  it('escapes what would start a block, a link or a closing heading sequence', async () => {
    expect(mdCell('1. first')).toBe('1\\. first');
    expect(mdCell('- item')).toBe('\\- item');
    expect(mdCell('see www.example.com or a@b.io')).toBe('see www\\.example.com or a\\@b.io');
    expect(mdText('one\n\n> quote\n  # two')).toBe('one\n\n\\> quote  \n\\# two');
    const w = { ...personasWorkshop(), title: 'Ship it #' };
    const [path] = await exportWorkshop(input(w, null), 'md', outDir());
    expect(readFileSync(path ?? '', 'utf8').startsWith('# Ship it \\#\n')).toBe(true);
  });

  it('exports the segmentation template', async () => {
    const s = segmentationWorkshop();
    const [path] = await exportWorkshop(input(s, null), 'md', outDir());
    expect(basename(path ?? '')).toBe('workshop.md'); // an emoji title has no ASCII: the fallback slug
    const md = readFileSync(path ?? '', 'utf8');
    templateOf('segmentation').steps.forEach((step, i) => expect(md).toContain(`## Step ${i + 1}. ${step.title}`));
    expect(md).toContain('| Milestone | Event(s) | Notes |');
  });
});

describe('PDF export', () => {
  it('makes a handout with a cover and a page per step that poppler renders, the same bytes every time', async () => {
    const w = personasWorkshop();
    const usage = personasUsage(w);
    const [path] = await exportWorkshop(input(w, usage), 'pdf', outDir());
    expect(basename(path ?? '')).toBe('acme-q3-persona-workshop-zurich.pdf');
    const pdf = path ?? '';
    const pages = pageCount(pdf);
    expect(pages).toBeGreaterThanOrEqual(templateOf('personas').steps.length + 1);
    const pngs = renderPages(pdf);
    expect(pngs).toHaveLength(pages);
    for (const size of pngs) expect(size).toBeGreaterThan(500);
    // Every step is there, and the charts' labels and the chosen priority are real text.
    const text = poppler('pdftotext', ['-layout', pdf, '-']).replace(/\s+/g, ' ');
    for (const step of templateOf('personas').steps) expect(text).toContain(step.title);
    for (const label of ['Users per persona', 'Key-action distribution', 'threshold 6', 'Overlap between personas', 'Chosen priorities', 'CHOSEN: Weekly digest', 'café ?'])
      expect(text).toContain(label);
    const again = await exportWorkshop(input(w, usage), 'pdf', outDir());
    expect(readFileSync(again[0] ?? '').equals(readFileSync(pdf))).toBe(true);
    expect(poppler('pdfinfo', [pdf])).toMatch(/CreationDate:\s+Wed May 14 16:30:00 2025/);
  });

  it('summarizes the workshop on its first page: personas with their sizes, and the chosen priorities', async () => {
    const w = personasWorkshop();
    const usage = personasUsage(w);
    const [path] = await exportWorkshop(input(w, usage), 'pdf', outDir());
    const cover = poppler('pdftotext', ['-f', '1', '-l', '1', '-layout', path ?? '', '-']);
    const lines = cover.split('\n');
    /** The cover's line that holds `name`, with its spaces squeezed. */
    const lineOf = (name: string): string => (lines.find((l) => l.includes(name)) ?? '').replace(/\s+/g, ' ');
    expect(cover).toContain('Personas');
    // Each persona on its own line with its users and share of the base (2,000 users in all).
    for (const [i, p] of w.personas.entries()) {
      const f = usage.personas[i];
      if (!f) throw new Error('the fixture has figures for every persona');
      expect(lineOf(p.name), p.name).toContain(` ${f.users.toLocaleString('en-US')} ${Math.round((f.users / usage.total) * 1000) / 10}%`);
    }
    expect(lineOf('Power “reporter”')).toContain('420 21%');
    // The chosen priority with its persona, votes (2 + 1) and impact (12.5% of 420 users); the others are not chosen.
    expect(cover).toContain('Chosen priorities');
    const chosen = lineOf('Weekly digest, “one click”');
    expect(chosen).toContain('Power “reporter”');
    expect(chosen).toMatch(/ 3 53$/);
    expect(cover).not.toContain('Upsell the newcomers');
  });

  it('says on the cover when the sizes are not computed yet, and lists the personas anyway', async () => {
    const w = personasWorkshop();
    const [path] = await exportWorkshop(input(w, null), 'pdf', outDir());
    const cover = poppler('pdftotext', ['-f', '1', '-l', '1', path ?? '', '-']).replace(/\s+/g, ' ');
    for (const p of w.personas) expect(cover).toContain(p.name);
    expect(cover).toContain('Sizes come from step 3, which has not been computed');
    expect(cover).toContain('Weekly digest, “one click”');
  });

  it('still makes every page when step 3 has no figures yet', async () => {
    const [path] = await exportWorkshop(input(personasWorkshop(), null), 'pdf', outDir());
    expect(pageCount(path ?? '')).toBeGreaterThanOrEqual(templateOf('personas').steps.length + 1);
    expect(poppler('pdftotext', [path ?? '', '-'])).toContain('Step 3 has not been computed');
  });

  it('exports the segmentation template, without step-3 figures, and paginates a long table', async () => {
    const s = segmentationWorkshop();
    const long = 'A long cell. '.repeat(380); // ~5,000 characters: taller than a page in its column
    const rows = Array.from({ length: 120 }, (_, i) => ({ id: `r${i}`, cells: { milestone: `Milestone ${i} ${AWKWARD}`, event: i === 3 ? long : 'signup_done', notes: FORMULA } }));
    const filled: Workshop = { ...s, steps: { ...s.steps, milestones: { ...(s.steps.milestones ?? { notes: {}, timer: { elapsedMs: 0, runningSince: null }, done: false, rows: [] }), rows } } };
    expect(workshopSchema.safeParse(filled).success).toBe(true);
    const [path] = await exportWorkshop(input(filled, null), 'pdf', outDir());
    const steps = templateOf('segmentation').steps.length;
    const pages = pageCount(path ?? '');
    expect(pages).toBeGreaterThan(steps + 1); // the 120-row table runs over several pages
    const pngs = renderPages(path ?? '');
    expect(pngs).toHaveLength(pages);
    for (const size of pngs) expect(size).toBeGreaterThan(500);
  });

  it('prints what Helvetica cannot show as a fallback instead of failing', () => {
    expect(winAnsi('“smart” café – €5 …')).toBe('“smart” café – €5 …');
    expect(winAnsi('Zürich → Kraków, Győr ≥ 6')).toBe('Zürich -> Kraków, Gyor >= 6');
    expect(winAnsi('launch 🚀 👍🏽 日本')).toBe('launch ? ? ??');
    expect(winAnsi('tab\there\r\nnext\u0007')).toBe('tab here\nnext');
  });
});

describe('bundle export and file names', () => {
  it('writes the bundle’s bytes as <slug>.guidepost', async () => {
    const w = personasWorkshop();
    const bytes = '{"format":1,"workshop":{"title":"Acme Q3 “persona”"}}';
    const [path] = await exportWorkshop(input(w, null, bytes), 'bundle', join(outDir(), 'nested', 'dir'));
    expect(basename(path ?? '')).toBe('acme-q3-persona-workshop-zurich.guidepost');
    expect(readFileSync(path ?? '', 'utf8')).toBe(bytes);
  });

  it('slugs titles to ASCII letters, digits and dashes', () => {
    expect(slugOf('Acme Q3 “persona” workshop — Zürich!')).toBe('acme-q3-persona-workshop-zurich');
    expect(slugOf('../../etc/passwd')).toBe('etc-passwd');
    expect(slugOf('🚀')).toBe('workshop');
    expect(slugOf('   ')).toBe('workshop');
  });
});
