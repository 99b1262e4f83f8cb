/**
 * The PDF handout, made with pdfkit in plain Node (no browser), so the CLI makes the same file as the app.
 *
 * Layout: a cover (title, account, date, the summary: personas with their sizes and the chosen priorities,
 * participants, contents), then every step from a new page with its
 * prompts, worksheet tables, notes, and for step 3 the charts (vector drawings, see charts.ts), for the
 * priorities step the ranked list with the chosen ones highlighted. Tables wrap their text, repeat their
 * header on every page they run onto, and split wide matrices into column groups.
 *
 * Deterministic: the creation date (which also seeds the file ID) is the workshop's updatedAt, so the same
 * workshop gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { AREA_LABELS, type SinceTheWorkshop, type Workshop } from '../../../shared/workshop/model';
import { templateOf, type StepDefinition } from '../../../shared/workshop/templates';
import type { WorkshopUsage } from '../../../shared/workshop/usage';
import { COLORS, drawHistogram, drawOverlap, drawSizeBars, HISTOGRAM_HEIGHT, overlapHeight, personaColor, sizeBarsHeight } from './charts';
import { winAnsi } from './pdf-text';
import { figuresByPersona, notesOf, percent, personaName, stepTables, type ExportTable } from './tables';
import { rankOpportunities } from '../../../shared/workshop/ranking';
import { isoDay, isoMinute, thousands } from './text';

type Doc = PDFKit.PDFDocument;
type Align = 'left' | 'right' | 'center';

interface Column {
  label: string;
  /** Share of the width, relative to the other columns. */
  weight: number;
  align?: Align;
}

interface TableSpec {
  columns: Column[];
  rows: string[][];
  header?: boolean;
  fontSize?: number;
  /** Rows drawn on the accent wash (the chosen priorities). */
  highlight?: (row: number) => boolean;
  /** Columns set in bold (a key/value table's keys). */
  bold?: (column: number) => boolean;
}

const MARGIN = 50;
const FOOTER = 28;
const PAD = 3;
/** Data columns per slice of a wide matrix (the label column repeats on each slice). */
const MATRIX_COLUMNS = 8;

/** A thin layer over pdfkit that keeps a cursor and starts new pages before anything would overflow. */
class Handout {
  constructor(readonly doc: Doc) {}

  get left(): number {
    return this.doc.page.margins.left;
  }
  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get top(): number {
    return this.doc.page.margins.top;
  }
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = this.left;
    this.doc.y = this.top;
  }

  /** A new page unless `height` still fits below the cursor. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.newPage();
  }

  gap(points: number): void {
    this.doc.y += points;
  }

  text(text: string, options: { font?: string; size?: number; color?: string; indent?: number } = {}): void {
    const indent = options.indent ?? 0;
    this.doc
      .font(options.font ?? 'Helvetica')
      .fontSize(options.size ?? 10)
      .fillColor(options.color ?? COLORS.ink);
    // A paragraph longer than the page flows onto the next one: pdfkit breaks pages inside text itself.
    this.doc.text(winAnsi(text), this.left + indent, this.doc.y, { width: this.width - indent });
    this.doc.x = this.left;
  }

  heading(text: string, size: number): void {
    // Keep a heading with at least a few lines of what follows it.
    this.ensure(size * 1.4 + 50);
    this.text(text, { font: 'Helvetica-Bold', size });
    this.gap(size * 0.35);
  }

  bullets(items: readonly string[], size = 9.5): void {
    for (const item of items) {
      this.doc.font('Helvetica').fontSize(size);
      this.ensure(this.doc.currentLineHeight(true) * 2);
      const y = this.doc.y;
      this.doc.fillColor(COLORS.muted).text('•', this.left + 2, y, { lineBreak: false });
      this.doc.y = y;
      this.text(item, { size, indent: 12 });
      this.gap(2);
    }
  }

  /** A table of wrapped cells; long tables go on over pages with their header repeated. */
  table(spec: TableSpec): void {
    const { doc } = this;
    const fontSize = spec.fontSize ?? 8;
    const totalWeight = spec.columns.reduce((s, c) => s + c.weight, 0) || 1;
    const widths = spec.columns.map((c) => (c.weight / totalWeight) * this.width);
    const lineHeight = (): number => doc.currentLineHeight(true);

    const measure = (cells: string[], font: (i: number) => string, cap: number): number => {
      let height = 0;
      cells.forEach((cell, i) => {
        doc.font(font(i)).fontSize(fontSize);
        const h = doc.heightOfString(winAnsi(cell), { width: (widths[i] ?? 0) - 2 * PAD });
        height = Math.max(height, Math.min(h, cap));
      });
      return Math.max(height, lineHeight()) + 2 * PAD;
    };

    const drawRow = (cells: string[], height: number, font: (i: number) => string, fill: string | null, color: string): void => {
      const top = doc.y;
      if (fill) doc.rect(this.left, top, this.width, height).fill(fill);
      let x = this.left;
      cells.forEach((cell, i) => {
        const w = widths[i] ?? 0;
        doc.font(font(i)).fontSize(fontSize).fillColor(color);
        // Cut with an ellipsis at the row's height: a cell taller than a page (up to 5,000 authored characters)
        // is shortened here; the CSV and Markdown exports keep every character.
        doc.text(winAnsi(cell), x + PAD, top + PAD, { width: w - 2 * PAD, height: height - 2 * PAD + 1, ellipsis: true, align: spec.columns[i]?.align ?? 'left' });
        x += w;
      });
      doc.lineWidth(0.5).strokeColor(COLORS.rule).moveTo(this.left, top + height).lineTo(this.left + this.width, top + height).stroke();
      doc.x = this.left;
      doc.y = top + height;
    };

    const headerCells = spec.columns.map((c) => c.label);
    const headerFont = (): string => 'Helvetica-Bold';
    const bodyFont = (i: number): string => (spec.bold?.(i) ? 'Helvetica-Bold' : 'Helvetica');
    const showHeader = spec.header !== false;
    const headerHeight = showHeader ? measure(headerCells, headerFont, 60) : 0;
    const header = (): void => {
      if (showHeader) drawRow(headerCells, headerHeight, headerFont, COLORS.wash, COLORS.ink);
    };
    // The tallest a row may be: a whole page under the header.
    const cap = this.bottom - this.top - headerHeight - 2 * PAD - 4;

    const heights = spec.rows.map((r) => measure(r, bodyFont, cap));
    this.ensure(headerHeight + (heights[0] ?? 0));
    header();
    spec.rows.forEach((row, i) => {
      const h = heights[i] ?? 0;
      if (doc.y + h > this.bottom) {
        this.newPage();
        header();
      }
      const fill = spec.highlight?.(i) ? COLORS.accentWash : i % 2 === 1 ? '#fafafb' : null;
      drawRow(row, h, bodyFont, fill, COLORS.ink);
    });
    this.gap(10);
  }

  /** An export table as it comes, split into column groups when it is a wide matrix. */
  exportTable(t: ExportTable, options: { matrix?: boolean; weights?: number[]; fontSize?: number } = {}): void {
    this.heading(t.title, 11);
    if (t.rows.length === 0) {
      this.text('Nothing recorded.', { font: 'Helvetica-Oblique', size: 9, color: COLORS.muted });
      this.gap(8);
      return;
    }
    if (!options.matrix || t.columns.length - 1 <= MATRIX_COLUMNS) {
      const columns = t.columns.map((label, i) => ({ label, weight: options.weights?.[i] ?? 1, align: options.matrix && i > 0 ? ('center' as const) : ('left' as const) }));
      this.table({ columns, rows: t.rows, fontSize: options.fontSize ?? (t.columns.length > 8 ? 7 : 8) });
      return;
    }
    const dataColumns = t.columns.length - 1;
    for (let start = 1; start <= dataColumns; start += MATRIX_COLUMNS) {
      const end = Math.min(start + MATRIX_COLUMNS, dataColumns + 1);
      this.text(`Columns ${start}-${end - 1} of ${dataColumns}`, { size: 8, color: COLORS.muted });
      this.gap(2);
      const pick = (cells: string[]): string[] => [cells[0] ?? '', ...cells.slice(start, end)];
      const columns = pick(t.columns).map((label, i) => ({ label, weight: i === 0 ? 2 : 1, align: i === 0 ? ('left' as const) : ('center' as const) }));
      this.table({ columns, rows: t.rows.map(pick), fontSize: 7 });
    }
  }
}

function cover(h: Handout, w: Workshop, usage: WorkshopUsage | null): void {
  const template = templateOf(w.template);
  h.gap(60);
  h.text(template.title.toUpperCase(), { font: 'Helvetica-Bold', size: 9, color: COLORS.accent });
  h.gap(6);
  h.text(w.title, { font: 'Helvetica-Bold', size: 26 });
  h.gap(10);
  const facts: [string, string][] = [];
  if (w.account) facts.push(['Account', w.account]);
  facts.push(['Date', w.date]);
  if (usage) facts.push(['Data as of', isoMinute(usage.asOf)]);
  facts.push(['Last edited', isoDay(w.updatedAt)]);
  h.table({ columns: [{ label: '', weight: 1 }, { label: '', weight: 4 }], rows: facts, header: false, fontSize: 10, bold: (i) => i === 0 });
  h.gap(10);
  summary(h, w, usage);
  h.heading('Participants', 13);
  if (w.participants.length === 0) h.text('No participants recorded.', { font: 'Helvetica-Oblique', size: 10, color: COLORS.muted });
  else
    h.table({
      columns: [
        { label: 'Name', weight: 1 },
        { label: 'Role', weight: 1 },
      ],
      rows: w.participants.map((p) => [p.name, p.role]),
      fontSize: 9,
    });
  h.gap(6);
  h.heading('Contents', 13);
  h.bullets(template.steps.map((s, i) => `Step ${i + 1}. ${s.title} (${s.timeboxMinutes} min)`));
}

/**
 * The cover's summary, so the first page answers "what did we decide": the personas with their sizes
 * (step 3's figures) and the chosen priorities with their persona, votes and impact.
 */
function summary(h: Handout, w: Workshop, usage: WorkshopUsage | null): void {
  if (w.personas.length > 0) {
    h.heading('Personas', 13);
    const figures = new Map((usage?.personas ?? []).map((p) => [p.personaId, p] as const));
    h.table({
      columns: [
        { label: 'Persona', weight: 2.2 },
        { label: 'Users', weight: 1, align: 'right' },
        { label: '% of base', weight: 1, align: 'right' },
        { label: 'Description', weight: 4 },
      ],
      rows: w.personas.map((p) => {
        const f = figures.get(p.id);
        return [p.name, f ? thousands(f.users) : '-', f && usage ? `${percent(f.users / Math.max(usage.total, 1))}%` : '-', p.description];
      }),
      fontSize: 9,
    });
    if (!usage) {
      h.text('Sizes come from step 3, which has not been computed: open the workshop and run its figures, then export again.', { size: 8.5, color: COLORS.muted });
      h.gap(8);
    }
  }
  const chosen = rankOpportunities(w, usage).filter((r) => r.opportunity.chosen);
  if (w.opportunities.length > 0 || chosen.length > 0) {
    h.heading('Chosen priorities', 13);
    if (chosen.length === 0) {
      h.text('None chosen yet.', { font: 'Helvetica-Oblique', size: 10, color: COLORS.muted });
      h.gap(8);
    } else
      h.table({
        columns: [
          { label: '#', weight: 0.4, align: 'right' },
          { label: 'Priority', weight: 4 },
          { label: 'Persona', weight: 2 },
          { label: 'Votes', weight: 0.8, align: 'right' },
          { label: 'Impact (users)', weight: 1.2, align: 'right' },
        ],
        rows: chosen.map((r) => [
          String(r.rank),
          r.opportunity.title || '(untitled)',
          personaName(w, r.opportunity.personaId) || '-',
          String(r.votes),
          r.impact === null ? '-' : thousands(r.impact),
        ]),
        fontSize: 9,
        highlight: () => true,
      });
  }
}

function stepHeader(h: Handout, w: Workshop, step: StepDefinition, index: number): void {
  if (step.phase) h.text(step.phase.toUpperCase(), { font: 'Helvetica-Bold', size: 8, color: COLORS.accent });
  h.text(`Step ${index + 1}. ${step.title}`, { font: 'Helvetica-Bold', size: 18 });
  const state = w.steps[step.key];
  const facts = [`Timebox ${step.timeboxMinutes} min`];
  if (state) facts.push(`time spent ${Math.round(state.timer.elapsedMs / 60_000)} min`, state.done ? 'done' : 'not done');
  h.gap(2);
  h.text(facts.join(' · '), { size: 9, color: COLORS.muted });
  h.gap(12);
  h.heading('Prompts', 12);
  h.bullets(step.prompts);
  h.gap(8);
}

function behaviors(h: Handout, t: ExportTable): void {
  // Ten columns do not fit a portrait page: each persona gets a card of label/value rows instead.
  h.heading(t.title, 11);
  if (t.rows.length === 0) {
    h.text('No personas yet.', { font: 'Helvetica-Oblique', size: 9, color: COLORS.muted });
    return;
  }
  t.rows.forEach((row, i) => {
    h.ensure(60);
    const y = h.doc.y;
    h.doc.rect(h.left, y + 1, 8, 8).fill(personaColor(i));
    h.doc.y = y;
    h.text(row[0] ?? '', { font: 'Helvetica-Bold', size: 10.5, indent: 14 });
    h.gap(3);
    const rows = t.columns.slice(1).map((label, k) => [label, row[k + 1] ?? '']);
    h.table({ columns: [{ label: '', weight: 1 }, { label: '', weight: 3.5 }], rows, header: false, fontSize: 8, bold: (c) => c === 0 });
  });
  h.gap(4);
}

function usageStep(h: Handout, w: Workshop, step: StepDefinition, usage: WorkshopUsage | null): void {
  h.heading('Figures', 12);
  if (!usage) {
    h.text('Step 3 has not been computed: open the workshop and run its figures, then export again.', { font: 'Helvetica-Oblique', size: 9.5, color: COLORS.muted });
    h.gap(8);
  } else {
    h.text(`Install base: ${thousands(usage.total)} users as of ${isoMinute(usage.asOf)}. In no persona: ${thousands(usage.inNone)}.`, { size: 9.5 });
    h.gap(8);
    h.heading('Users per persona', 11);
    h.ensure(sizeBarsHeight(usage));
    h.doc.y += drawSizeBars(h.doc, usage, h.left, h.doc.y, h.width) + 10;
  }
  // The histogram's numbers are drawn as charts below; its table stays in the CSV and Markdown.
  const tables = stepTables(w, step, usage);
  const named = (name: string): ExportTable | undefined => tables.find((t) => t.name === name);
  const [figures, actions, overlap] = [named('figures'), named('actions'), named('overlap')];
  // Fifteen columns do not fit a portrait page: the figures go sideways, a column per persona.
  if (usage && usage.personas.length > 0) h.exportTable(figuresByPersona(usage), { matrix: true });
  else if (figures) h.exportTable(figures);
  if (actions) h.exportTable(actions, { weights: [2, 2, 1, 1.4] });
  if (usage && usage.personas.length > 0) {
    h.heading('Key-action distribution and threshold', 11);
    usage.personas.forEach((p, i) => {
      h.ensure(HISTOGRAM_HEIGHT + 6);
      h.doc.y += drawHistogram(h.doc, p, personaColor(i), h.left, h.doc.y, h.width) + 8;
    });
    h.heading('Overlap between personas (users in both)', 11);
    h.ensure(overlapHeight(usage));
    h.doc.y += drawOverlap(h.doc, usage, h.left, h.doc.y, h.width) + 12;
  } else if (overlap) {
    h.exportTable(overlap, { matrix: true });
  }
}

function priorities(h: Handout, w: Workshop, usage: WorkshopUsage | null): void {
  const ranked = rankOpportunities(w, usage);
  const chosen = ranked.filter((r) => r.opportunity.chosen);
  h.heading('Chosen priorities', 12);
  if (chosen.length === 0) h.text('None chosen yet.', { font: 'Helvetica-Oblique', size: 9.5, color: COLORS.muted });
  for (const r of chosen) {
    const o = r.opportunity;
    const facts = [
      o.personaId ? `Persona: ${personaName(w, o.personaId)}` : null,
      AREA_LABELS[o.area],
      `+${o.improvementPct}%`,
      r.impact === null ? null : `impact ${thousands(r.impact)} users`,
      `effort ${o.effort}/5, confidence ${o.confidence}/5`,
      `${r.votes} votes`,
    ].filter((f): f is string => f !== null);
    h.ensure(50);
    const top = h.doc.y;
    const page = h.doc.bufferedPageRange().count;
    h.text(`#${r.rank}  ${o.title || '(untitled)'}`, { font: 'Helvetica-Bold', size: 11, indent: 10 });
    h.text(facts.join(' · '), { size: 8.5, color: COLORS.muted, indent: 10 });
    const targets = [o.benchmark ? `Benchmark: ${o.benchmark}` : '', o.goal ? `Goal: ${o.goal}` : ''].filter(Boolean).join('   ');
    if (targets) h.text(targets, { size: 8.5, indent: 10 });
    // The accent bar spans the entry, drawn once its height is known (unless a long title ran onto a new page).
    if (h.doc.bufferedPageRange().count === page) h.doc.rect(h.left, top, 3, h.doc.y - top).fill(COLORS.accent);
    h.gap(8);
  }
  h.gap(6);
  h.heading('Ranked opportunities', 12);
  if (ranked.length === 0) {
    h.text('No opportunities yet.', { font: 'Helvetica-Oblique', size: 9.5, color: COLORS.muted });
    return;
  }
  h.text('Most votes first, then most impact. Highlighted rows are the chosen priorities.', { size: 8.5, color: COLORS.muted });
  h.gap(4);
  h.table({
    columns: [
      { label: '#', weight: 0.45, align: 'right' },
      { label: 'Opportunity', weight: 3 },
      { label: 'Persona', weight: 1.6 },
      { label: 'Area', weight: 1.5 },
      { label: 'Impr. %', weight: 0.8, align: 'right' },
      { label: 'Group', weight: 0.9, align: 'right' },
      { label: 'Impact', weight: 0.9, align: 'right' },
      { label: 'Effort', weight: 0.7, align: 'right' },
      { label: 'Conf.', weight: 0.7, align: 'right' },
      { label: 'Votes', weight: 0.7, align: 'right' },
    ],
    rows: ranked.map((r) => {
      const o = r.opportunity;
      return [
        String(r.rank),
        `${o.chosen ? 'CHOSEN: ' : ''}${o.title}`,
        personaName(w, o.personaId),
        AREA_LABELS[o.area],
        String(o.improvementPct),
        r.groupSize === null ? '-' : thousands(r.groupSize),
        r.impact === null ? '-' : thousands(r.impact),
        String(o.effort),
        String(o.confidence),
        String(r.votes),
      ];
    }),
    highlight: (i) => ranked[i]?.opportunity.chosen === true,
  });
  const details = ranked.filter((r) => r.opportunity.benchmark || r.opportunity.goal || r.opportunity.notes);
  if (details.length) {
    h.heading('Benchmarks, goals and notes', 11);
    h.table({
      columns: [
        { label: 'Opportunity', weight: 2 },
        { label: 'Benchmark', weight: 1.5 },
        { label: 'Goal', weight: 1.5 },
        { label: 'Notes', weight: 3 },
      ],
      rows: details.map((r) => [`#${r.rank} ${r.opportunity.title}`, r.opportunity.benchmark, r.opportunity.goal, r.opportunity.notes]),
    });
  }
}

function notes(h: Handout, w: Workshop, stepKey: string): void {
  const list = notesOf(w, stepKey);
  if (list.length === 0) return;
  h.heading('Notes', 12);
  for (const n of list) {
    h.ensure(30);
    h.text(n.participant, { font: 'Helvetica-Bold', size: 9.5 });
    h.text(n.text, { size: 9.5 });
    h.gap(6);
  }
}

function step(h: Handout, w: Workshop, usage: WorkshopUsage | null, def: StepDefinition, index: number): void {
  h.newPage();
  stepHeader(h, w, def, index);
  switch (def.worksheet) {
    case 'use_cases': {
      const [useCases, overlap] = stepTables(w, def, usage);
      if (useCases) h.exportTable(useCases, { weights: [2, 4, 2] });
      if (overlap) h.exportTable(overlap, { matrix: true });
      break;
    }
    case 'behaviors':
      for (const t of stepTables(w, def, usage)) behaviors(h, t);
      break;
    case 'usage':
      usageStep(h, w, def, usage);
      break;
    case 'priorities':
      priorities(h, w, usage);
      break;
    case 'table':
      for (const t of stepTables(w, def, usage)) h.exportTable({ ...t, title: 'Worksheet' });
      break;
    default: {
      const never: never = def.worksheet;
      throw new Error(`Unknown worksheet kind: ${String(never)}`);
    }
  }
  notes(h, w, def.key);
}

/** Page numbers and the title on every page but the cover, written once the page count is known. */
function footers(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start + 1; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    // Writing inside the bottom margin would make pdfkit start a page: lift the margin while we write.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - bottom + (bottom - FOOTER) / 2 + 8;
    doc.font('Helvetica').fontSize(7.5).fillColor(COLORS.faint);
    doc.text(winAnsi(title).replace(/\n/g, ' '), MARGIN, y, { width: doc.page.width - 2 * MARGIN - 80, height: 10, ellipsis: true, lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, doc.page.width - MARGIN - 80, y, { width: 80, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

/** The "since the workshop" page: each chosen opportunity and its message as of the cache's data. */
function sincePage(h: Handout, since: SinceTheWorkshop): void {
  h.newPage();
  h.heading('Since the workshop', 16);
  h.text(`As of ${isoMinute(since.asOf)}: each chosen opportunity, the message that acts on it, its reach and its lift.`, { size: 9, color: COLORS.muted });
  h.gap(8);
  if (since.rows.length === 0) {
    h.text('No opportunity was chosen.', { font: 'Helvetica-Oblique', size: 9, color: COLORS.muted });
    return;
  }
  h.table({
    columns: [
      { label: 'Opportunity', weight: 2 },
      { label: 'Message', weight: 2 },
      { label: 'Status', weight: 1 },
      { label: 'Reach', weight: 1, align: 'right' },
      { label: 'Goal event', weight: 1.3 },
      { label: 'Lift', weight: 2 },
    ],
    rows: since.rows.map((r) => [
      r.title || '(untitled)',
      r.message === null ? 'none linked yet' : (r.message.name ?? `${r.message.id} (not in this cache)`),
      r.message?.status ?? '',
      r.message?.name ? thousands(r.message.reach) : '',
      r.goalEvent ?? '',
      r.message?.name ? (r.lift ?? 'not measured yet') : '',
    ]),
  });
}

export function workshopPdf(w: Workshop, usage: WorkshopUsage | null, since: SinceTheWorkshop | null = null): Promise<Buffer> {
  const created = new Date(w.updatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER / 2, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: w.title, // info strings are UTF-16 in the PDF: no font involved, so no mapping needed
      Subject: templateOf(w.template).title,
      Author: 'Guidepost',
      Creator: 'Guidepost',
      Producer: 'Guidepost (pdfkit)',
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const h = new Handout(doc);
  cover(h, w, usage);
  templateOf(w.template).steps.forEach((def, index) => step(h, w, usage, def, index));
  if (since) sincePage(h, since);
  footers(doc, w.title);
  doc.end();
  return done;
}
