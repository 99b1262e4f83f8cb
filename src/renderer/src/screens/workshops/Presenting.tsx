import { useEffect, useRef } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import type { TableRow, UseCase, Workshop } from '../../../../shared/workshop/model';
import { rankOpportunities } from '../../../../shared/workshop/ranking';
import type { StepDefinition } from '../../../../shared/workshop/templates';
import { missingCase } from '../../../../shared/errors';
import { formatNumber, percent } from '../../lib/format';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { currentStepOf, personaColourIndex, stepPosition, stepState } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { StepCounter, StepPrompts, StepTimer } from './StepParts';
import { useWorkshops } from './store';
import { SizesChart, ThresholdCard } from './UsageSheet';
import { useUsage } from './useUsage';

/** A line of the presented figures: a persona, or the users in none of them. */
interface SummaryRow {
  key: string;
  name: string;
  /** The persona's colour; null for "In none". */
  colour: number | null;
  users: number;
  regular: number | null;
}

function UsageSummary({ w }: { w: Workshop }) {
  const usage = useUsage().result?.value ?? null;
  if (!usage) return <p className="muted">Computing the figures…</p>;
  const rows: SummaryRow[] = [
    ...usage.personas.map((p) => ({
      key: p.personaId,
      name: p.name,
      colour: personaColourIndex(w, p.personaId),
      users: p.users,
      regular: p.regular,
    })),
    { key: 'in-none', name: 'In none', colour: null, users: usage.inNone, regular: null },
  ];
  const columns: Column<SummaryRow>[] = [
    {
      id: 'persona',
      header: 'Persona',
      rowHeader: true,
      cell: (r) => (
        <>
          {r.colour !== null ? <PersonaSwatch index={r.colour} /> : null}
          {r.name}
        </>
      ),
    },
    { id: 'users', header: 'Users', numeric: true, cell: (r) => formatNumber(r.users) },
    { id: 'share', header: '% of base', numeric: true, cell: (r) => percent(r.users, usage.total) },
    { id: 'regular', header: 'Regular', numeric: true, cell: (r) => (r.regular === null ? null : formatNumber(r.regular)) },
  ];
  return (
    <div className="present-usage">
      <PresentTable columns={columns} rows={rows} rowKey={(r) => r.key} />
      {usage.personas.length > 0 ? <SizesChart w={w} usage={usage} /> : null}
      <div className="present-charts">
        {usage.personas.map((pu) => {
          const index = w.personas.findIndex((p) => p.id === pu.personaId);
          const p = w.personas[index];
          if (!p || pu.keyAction === null || pu.histogram.length === 0) return null;
          return <ThresholdCard key={pu.personaId} w={w} p={p} pu={pu} index={index} readOnly />;
        })}
      </div>
    </div>
  );
}

/** A worksheet's table, read-only and large. */
function PresentTable<Row>(props: { columns: Column<Row>[]; rows: readonly Row[]; rowKey(row: Row): string }) {
  return <DataTable className="present-table" scroll={false} {...props} />;
}

/** Columns of text that wraps. */
function textColumns<Row>(columns: { key: string; label: string; text(row: Row): string }[]): Column<Row>[] {
  return columns.map((c) => ({ id: c.key, header: c.label, className: 'wrap', cell: c.text }));
}

function PrioritiesSummary({ w }: { w: Workshop }) {
  const usage = useUsage().result?.value ?? null;
  if (w.opportunities.length === 0) return <EmptyState size="inline" title="No opportunities yet" help="Opportunities written in the workshop show here, ranked by votes and impact." />;
  return (
    <ol className="present-list">
      {rankOpportunities(w, usage).map(({ opportunity: o, votes, impact }) => (
        <li key={o.id} className={o.chosen ? 'chosen' : undefined}>
          <strong>{o.title || 'Untitled opportunity'}</strong>
          <span className="muted">
            {' '}
            · {votes} votes{impact !== null ? ` · impact ${formatNumber(impact)} users` : ''}
            {o.chosen ? ' · chosen' : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** The step's main content, read-only and large. */
function StepContent({ w, step }: { w: Workshop; step: StepDefinition }) {
  switch (step.worksheet) {
    case 'use_cases': {
      const personaName = (id: string): string => w.personas.find((p) => p.id === id)?.name ?? id;
      const columns = textColumns<UseCase>([
        { key: 'name', label: 'Use case', text: (u) => u.name },
        { key: 'value', label: 'Value proposition', text: (u) => u.valueProposition },
        { key: 'personas', label: 'Personas', text: (u) => u.personaIds.map(personaName).join(', ') },
      ]);
      return w.useCases.length === 0 ? (
        <EmptyState size="inline" title="No use cases yet" help="Use cases written in this step show here, with their value and personas." />
      ) : (
        <PresentTable columns={columns} rows={w.useCases} rowKey={(u) => u.id} />
      );
    }
    case 'behaviors':
      return w.personas.length === 0 ? (
        <EmptyState size="inline" title="No personas yet" help="Personas named in step 1 show here, each with the behavior that defines it." />
      ) : (
        <ul className="present-list">
          {w.personas.map((p, i) => (
            <li key={p.id}>
              <strong>
                <PersonaSwatch index={i} />
                {p.name}
              </strong>
              <span className="present-sentence">{p.actions.length === 0 && !p.ruleEdited ? 'No key action yet.' : describeRule(p.rule)}</span>
            </li>
          ))}
        </ul>
      );
    case 'usage':
      return <UsageSummary w={w} />;
    case 'priorities':
      return <PrioritiesSummary w={w} />;
    case 'table': {
      const rows = stepState(w, step.key).rows;
      const columns = textColumns<TableRow>((step.columns ?? []).map((c) => ({ ...c, text: (r) => r.cells[c.key] ?? '' })));
      return rows.length === 0 ? (
        <EmptyState size="inline" title="No rows yet" help="Rows added to this step's table show here." />
      ) : (
        <PresentTable columns={columns} rows={rows} rowKey={(r) => r.id} />
      );
    }
    default:
      return missingCase(step.worksheet);
  }
}

/** One step full screen, for the room: ←/→ or PageUp/PageDown move between steps, Esc leaves. */
export function Presenting() {
  const w = useWorkshops((s) => s.doc);
  const update = useWorkshops((s) => s.update);
  const setPresenting = useWorkshops((s) => s.setPresenting);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const returnTo = document.activeElement;
    ref.current?.focus();
    return () => {
      if (returnTo instanceof HTMLElement && returnTo.isConnected) returnTo.focus();
    };
  }, []);

  if (!w) return null;
  const step = currentStepOf(w);
  const { previous, next } = stepPosition(w, step.key);
  const goTo = (to: StepDefinition | undefined): void => {
    if (to) update((d) => ({ ...d, currentStep: to.key }));
  };

  return (
    <div
      ref={ref}
      className="presenting"
      role="dialog"
      aria-modal="true"
      aria-label={`Presenting: ${step.title}`}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setPresenting(false);
        else if (e.key === 'ArrowRight' || e.key === 'PageDown') goTo(next);
        else if (e.key === 'ArrowLeft' || e.key === 'PageUp') goTo(previous);
        else return;
        e.preventDefault();
      }}
    >
      <header className="presenting-header">
        <StepCounter w={w} step={step} withTitle />
        <div className="row">
          <button type="button" onClick={() => goTo(previous)} disabled={!previous} aria-label="Previous step">
            ←
          </button>
          <button type="button" onClick={() => goTo(next)} disabled={!next} aria-label="Next step">
            →
          </button>
          <button type="button" onClick={() => setPresenting(false)}>
            Leave <kbd>Esc</kbd>
          </button>
        </div>
      </header>
      <h1 className="presenting-title">{step.title}</h1>
      <StepTimer w={w} step={step} large />
      <div className="presenting-body">
        <StepPrompts step={step} />
        <div className="presenting-content">
          <StepContent w={w} step={step} />
        </div>
      </div>
    </div>
  );
}
