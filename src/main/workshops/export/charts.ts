/**
 * Step 3's charts, drawn as vector graphics with pdfkit's path API: sharp at any zoom, no native canvas to
 * install, and the CLI can draw them. Each function draws at (x, y) and answers the height it used, and a
 * matching `…Height` function says the height beforehand so the caller can start a new page first.
 */
import type { PersonaUsage, WorkshopUsage } from '../../../shared/workshop/usage';
import { winAnsi } from './pdf-text';
import { percent } from './tables';
import { thousands } from './text';

type Doc = PDFKit.PDFDocument;

/** The app's light theme: each persona keeps its series colour in every chart, as on screen. */
export const COLORS = {
  ink: '#101828',
  muted: '#475467',
  faint: '#98a2b3',
  rule: '#d0d5dd',
  wash: '#f2f4f7',
  accent: '#4f46e5',
  accentWash: '#eef0fd',
  series: ['#4f46e5', '#0e9384', '#dc6803', '#c11574', '#475467'],
} as const;

export function personaColor(index: number): string {
  return COLORS.series[index % COLORS.series.length] ?? COLORS.accent;
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** White → `hex` at t (0..1), for the heat table. */
function tint(hex: string, t: number): [number, number, number] {
  const [r, g, b] = rgb(hex);
  const mix = (c: number): number => Math.round(255 + (c - 255) * Math.min(Math.max(t, 0), 1));
  return [mix(r), mix(g), mix(b)];
}

/** One line of text, cut with an ellipsis when it does not fit: labels must never wrap into the next row. */
function label(doc: Doc, text: string, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left'): void {
  doc.text(winAnsi(text).replace(/\n/g, ' '), x, y, { width, height: doc.currentLineHeight(true), ellipsis: true, lineBreak: false, align });
}

const BAR_ROW = 16;

export function sizeBarsHeight(usage: WorkshopUsage): number {
  return (usage.personas.length + 1) * BAR_ROW + 4;
}

/** Users per persona (and in none), bars scaled to the largest, labelled with users and % of the install base. */
export function drawSizeBars(doc: Doc, usage: WorkshopUsage, x: number, y: number, width: number): number {
  const rows = [
    ...usage.personas.map((p, i) => ({ name: p.name, users: p.users, color: personaColor(i) })),
    { name: 'In no persona', users: usage.inNone, color: COLORS.faint },
  ];
  const max = Math.max(1, ...rows.map((r) => r.users));
  const nameWidth = Math.min(150, width * 0.3);
  const valueWidth = 110;
  const barArea = width - nameWidth - valueWidth - 12;
  doc.font('Helvetica').fontSize(8);
  rows.forEach((r, i) => {
    const top = y + i * BAR_ROW;
    doc.fillColor(COLORS.ink);
    label(doc, r.name, x, top + 3, nameWidth);
    doc.rect(x + nameWidth + 6, top + 2, barArea, BAR_ROW - 5).fill(COLORS.wash);
    const w = (r.users / max) * barArea;
    if (w > 0) doc.rect(x + nameWidth + 6, top + 2, Math.max(w, 1), BAR_ROW - 5).fill(r.color);
    const share = usage.total > 0 ? r.users / usage.total : 0;
    doc.fillColor(COLORS.muted);
    label(doc, `${thousands(r.users)} (${percent(share)}% of base)`, x + width - valueWidth, top + 3, valueWidth, 'right');
  });
  return sizeBarsHeight(usage);
}

export const HISTOGRAM_HEIGHT = 130;

function binLabel(from: number, to: number | null): string {
  if (to === null) return `${from}+`;
  return to - from <= 1 ? String(from) : `${from}-${to - 1}`;
}

/** Where the threshold falls on the bins' axis: inside the bin that holds it, in proportion. */
function thresholdX(p: PersonaUsage, left: number, binWidth: number): number {
  const bins = p.histogram;
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i];
    if (!b) continue;
    if (b.to === null || p.threshold < b.to) {
      const within = b.to === null || p.threshold <= b.from ? 0 : (p.threshold - b.from) / (b.to - b.from);
      return left + (i + within) * binWidth;
    }
  }
  return left + bins.length * binWidth;
}

/**
 * The key-action histogram of one persona over the install base: bars at or above the threshold in the
 * persona's colour (they are members on that count), the others grey, and the threshold as a dashed line.
 */
export function drawHistogram(doc: Doc, p: PersonaUsage, color: string, x: number, y: number, width: number): number {
  const height = HISTOGRAM_HEIGHT;
  doc.font('Helvetica-Bold').fontSize(9).fillColor(COLORS.ink);
  label(doc, `${p.name}: ${p.keyAction ?? 'no key action'} per user`, x, y, width);
  const plotTop = y + 18;
  const plotHeight = height - 18 - 26;
  const axisLeft = x + 36;
  const plotWidth = width - 36;
  const bins = p.histogram;
  if (bins.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(8).fillColor(COLORS.muted);
    label(doc, 'No key action mapped yet, so no distribution to show.', x, plotTop + 6, width);
    return 40;
  }
  // Headroom above the tallest bar for its value label.
  const max = Math.max(1, ...bins.map((b) => b.users));
  const scale = (plotHeight - 10) / max;
  const binWidth = plotWidth / bins.length;

  // Axis and the largest value, so bar heights can be read.
  doc.lineWidth(0.5).strokeColor(COLORS.rule);
  doc.moveTo(axisLeft, plotTop).lineTo(axisLeft, plotTop + plotHeight).lineTo(axisLeft + plotWidth, plotTop + plotHeight).stroke();
  doc.font('Helvetica').fontSize(6.5).fillColor(COLORS.muted);
  label(doc, thousands(max), x, plotTop + plotHeight - max * scale - 3, 32, 'right');
  label(doc, '0', x, plotTop + plotHeight - 6, 32, 'right');

  bins.forEach((b, i) => {
    const barHeight = b.users * scale;
    const left = axisLeft + i * binWidth + binWidth * 0.1;
    const member = b.from >= p.threshold;
    if (barHeight > 0) doc.rect(left, plotTop + plotHeight - barHeight, binWidth * 0.8, barHeight).fill(member ? color : COLORS.rule);
    doc.font('Helvetica').fontSize(6.5).fillColor(COLORS.muted);
    label(doc, thousands(b.users), left - 4, plotTop + plotHeight - barHeight - 9, binWidth * 0.8 + 8, 'center');
    label(doc, binLabel(b.from, b.to), left - 4, plotTop + plotHeight + 3, binWidth * 0.8 + 8, 'center');
  });

  const tx = thresholdX(p, axisLeft, binWidth);
  doc.save();
  doc.lineWidth(1).strokeColor(COLORS.ink).dash(3, { space: 2 });
  doc.moveTo(tx, plotTop - 4).lineTo(tx, plotTop + plotHeight).stroke();
  doc.restore();
  doc.font('Helvetica-Bold').fontSize(7).fillColor(COLORS.ink);
  const note = `threshold ${p.threshold}`;
  const noteWidth = doc.widthOfString(note) + 4;
  label(doc, note, Math.min(tx + 3, axisLeft + plotWidth - noteWidth), plotTop - 4, noteWidth);
  doc.font('Helvetica').fontSize(7).fillColor(COLORS.muted);
  label(doc, `${p.keyAction ?? 'key action'} count in the window (users of the whole install base)`, axisLeft, plotTop + plotHeight + 13, plotWidth, 'center');
  return height;
}

const HEAT_HEADER = 34;
const HEAT_ROW = 16;

export function overlapHeight(usage: WorkshopUsage): number {
  return HEAT_HEADER + usage.personas.length * HEAT_ROW + 4;
}

/** The overlap matrix as a heat table: the darker the cell, the more users the two personas share. */
export function drawOverlap(doc: Doc, usage: WorkshopUsage, x: number, y: number, width: number): number {
  const n = usage.personas.length;
  const nameWidth = Math.min(130, width * 0.28);
  const cell = n > 0 ? (width - nameWidth) / n : 0;
  const max = Math.max(1, ...usage.overlap.flat());
  doc.font('Helvetica-Bold').fontSize(n > 10 ? 5.5 : 7).fillColor(COLORS.ink);
  usage.personas.forEach((p, j) => {
    // Column headings wrap onto up to three lines, set on the bottom of the header band, next to the cells.
    const name = winAnsi(p.name);
    const h = Math.min(doc.heightOfString(name, { width: cell - 2 }), HEAT_HEADER - 4);
    doc.text(name, x + nameWidth + j * cell + 1, y + HEAT_HEADER - 3 - h, { width: cell - 2, height: h + 1, ellipsis: true, align: 'center' });
  });
  usage.personas.forEach((p, i) => {
    const top = y + HEAT_HEADER + i * HEAT_ROW;
    doc.font('Helvetica-Bold').fontSize(7.5).fillColor(personaColor(i));
    label(doc, p.name, x, top + 4, nameWidth - 4);
    usage.personas.forEach((_, j) => {
      const value = usage.overlap[i]?.[j] ?? 0;
      const t = value / max;
      const left = x + nameWidth + j * cell;
      doc.rect(left, top, cell, HEAT_ROW).fillAndStroke(tint(COLORS.accent, t * 0.9), '#ffffff');
      doc.font(i === j ? 'Helvetica-Bold' : 'Helvetica').fontSize(n > 10 ? 5.5 : 7.5).fillColor(t > 0.5 ? '#ffffff' : COLORS.ink);
      label(doc, thousands(value), left, top + 4, cell, 'center');
    });
  });
  return overlapHeight(usage);
}
