/**
 * The Markdown export: the whole workshop as one document, for a wiki or a ticket.
 *
 * Nothing authored is ever interpreted: participants type free text, and "*everyone*", "<b>", "| a |",
 * "# 1" or a bare link must come out as typed, not as emphasis, HTML, a broken table, a heading or a link.
 * Every piece of authored text goes through mdText (paragraphs, list items) or mdCell (table cells).
 */
import { AREA_LABELS, type SinceTheWorkshop, type Workshop } from '../../../shared/workshop/model';
import { templateOf } from '../../../shared/workshop/templates';
import type { WorkshopUsage } from '../../../shared/workshop/usage';
import { notesOf, personaName, stepTables, type ExportTable } from './tables';
import { rankOpportunities } from '../../../shared/workshop/ranking';
import { isoDay, isoMinute, thousands } from './text';
import { sinceRowText } from '../since';

/** Characters that start inline constructs anywhere in a line (CommonMark and GitHub's extensions: tables, strike-through, math). */
const INLINE = /[\\`*_[\]<>|~&$]/g;

function escapeInline(line: string): string {
  return (
    line
      .replace(INLINE, (c) => `\\${c}`)
      // GitHub links bare URLs, www. hosts and e-mail addresses: break the patterns it looks for.
      .replace(/:\/\//g, '\\://')
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`)
      .replace(/@/g, '\\@')
  );
}

/** One line of authored text in a block context: also neutralises what starts a block (headings, lists, quotes, rules). */
function escapeLine(line: string): string {
  const body = escapeInline(line.trim());
  return body.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** Authored text as a paragraph: its line breaks kept as hard breaks, its blank lines as paragraph breaks. */
export function mdText(text: string): string {
  return text
    .split(/(?:\r\n|\r|\n)\s*(?:\r\n|\r|\n)/)
    .map((paragraph) => paragraph.split(/\r\n|\r|\n/).map(escapeLine).join('  \n'))
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

/**
 * Authored text on one line (a table cell, a list item, a heading): line breaks as <br>, the only HTML we write
 * ourselves. Block markers are escaped too: a list item whose text starts with "1. " or "- " would nest a list.
 */
export function mdCell(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(escapeLine)
    .join('<br>');
}

/** In a heading a trailing run of # would be read as its closing sequence and dropped. */
function mdHeading(text: string): string {
  return mdCell(text).replace(/(?<!\\)#/g, '\\#');
}

function mdTable(t: ExportTable): string {
  if (t.rows.length === 0) return '_Nothing recorded._';
  const row = (cells: string[]): string => `| ${cells.map((c) => mdCell(c) || ' ').join(' | ')} |`;
  return [row(t.columns), `|${t.columns.map(() => ' --- ').join('|')}|`, ...t.rows.map(row)].join('\n');
}

function usageSummary(usage: WorkshopUsage | null): string {
  if (!usage) return '_Step 3 has not been computed: open the workshop and run its figures first._';
  return `Install base: ${thousands(usage.total)} users as of ${isoMinute(usage.asOf)}; in no persona: ${thousands(usage.inNone)}.`;
}

function rankedList(w: Workshop, usage: WorkshopUsage | null): string {
  const ranked = rankOpportunities(w, usage);
  if (ranked.length === 0) return '_No opportunities yet._';
  return ranked
    .map((r) => {
      const o = r.opportunity;
      const facts = [
        o.personaId ? `persona ${mdCell(personaName(w, o.personaId))}` : null,
        AREA_LABELS[o.area],
        `+${o.improvementPct}%`,
        r.impact === null ? null : `impact ${thousands(r.impact)} users`,
        `effort ${o.effort}/5`,
        `confidence ${o.confidence}/5`,
        `${r.votes} vote${r.votes === 1 ? '' : 's'}`,
      ].filter((f): f is string => f !== null);
      const title = mdCell(o.title) || '_(untitled)_';
      return `${r.rank}. ${o.chosen ? '**Chosen:** ' : ''}${title} (${facts.join(', ')})`;
    })
    .join('\n');
}

/** The "since the workshop" section: each chosen opportunity and its message as of the cache's data. */
function sinceSection(since: SinceTheWorkshop): string {
  if (since.rows.length === 0) return '_No opportunity was chosen._';
  return [
    `As of ${isoMinute(since.asOf)}.`,
    since.rows.map((r) => `- **${mdCell(r.title) || '_(untitled)_'}**: ${mdCell(sinceRowText(r))}`).join('\n'),
  ].join('\n\n');
}

export function workshopMarkdown(w: Workshop, usage: WorkshopUsage | null, since: SinceTheWorkshop | null = null): string {
  const template = templateOf(w.template);
  const out: string[] = [];
  out.push(`# ${mdHeading(w.title)}`);
  out.push(
    [
      w.account ? `**Account:** ${mdCell(w.account)}` : null,
      `**Date:** ${w.date}`,
      `**Template:** ${template.title}`,
      `**Last edited:** ${isoDay(w.updatedAt)}`,
    ]
      .filter(Boolean)
      .join('  \n'),
  );
  out.push('## Participants');
  out.push(
    w.participants.length
      ? w.participants.map((p) => `- ${mdCell(p.name)}${p.role ? ` (${mdCell(p.role)})` : ''}`).join('\n')
      : '_No participants recorded._',
  );

  template.steps.forEach((step, index) => {
    const state = w.steps[step.key];
    // Titles and prompts are the template's own text, written to read well in Markdown: not escaped.
    out.push(`## Step ${index + 1}. ${step.title}`);
    const meta = [step.phase ? `_${step.phase}_` : null, `Timebox: ${step.timeboxMinutes} min`];
    if (state) meta.push(`Time spent: ${Math.round(state.timer.elapsedMs / 60_000)} min`, state.done ? 'Done' : 'Not done');
    out.push(meta.filter(Boolean).join('  \n'));
    out.push('### Prompts');
    out.push(step.prompts.map((p) => `- ${p}`).join('\n'));
    if (step.worksheet === 'usage') {
      out.push('### Figures');
      out.push(usageSummary(usage));
    }
    for (const table of stepTables(w, step, usage)) {
      out.push(`### ${mdHeading(table.title)}`);
      out.push(mdTable(table));
    }
    if (step.worksheet === 'priorities') {
      out.push('### Ranked priorities');
      out.push(rankedList(w, usage));
    }
    const notes = notesOf(w, step.key);
    if (notes.length) {
      out.push('### Notes');
      for (const n of notes) out.push(`**${mdCell(n.participant)}**\n\n${mdText(n.text)}`);
    }
  });
  if (since) {
    out.push('## Since the workshop');
    out.push(sinceSection(since));
  }
  return `${out.join('\n\n')}\n`;
}
