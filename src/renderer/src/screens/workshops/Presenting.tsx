import { useEffect, useRef } from 'react';
import { describeRule } from '../../../../shared/segments/describe';
import type { Workshop } from '../../../../shared/workshop/model';
import { rankOpportunities } from '../../../../shared/workshop/ranking';
import type { StepDefinition } from '../../../../shared/workshop/templates';
import { missingCase } from '../../../../shared/errors';
import { formatNumber, percent } from '../../lib/format';
import { currentStepOf, stepState, stepsOf } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { StepPrompts, StepTimer } from './StepParts';
import { useWorkshops } from './store';
import { useUsage } from './useUsage';

function UsageSummary({ w }: { w: Workshop }) {
  const usage = useUsage().result?.value ?? null;
  if (!usage) return <p className="muted">Computing the figures…</p>;
  return (
    <table className="data-table present-table">
      <thead>
        <tr>
          <th scope="col">Persona</th>
          <th scope="col" className="num">Users</th>
          <th scope="col" className="num">% of base</th>
          <th scope="col" className="num">Regular</th>
        </tr>
      </thead>
      <tbody>
        {usage.personas.map((p) => (
          <tr key={p.personaId}>
            <th scope="row">
              <PersonaSwatch index={Math.max(0, w.personas.findIndex((x) => x.id === p.personaId))} />
              {p.name}
            </th>
            <td className="num">{formatNumber(p.users)}</td>
            <td className="num">{percent(p.users, usage.total)}</td>
            <td className="num">{formatNumber(p.regular)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">In none</th>
          <td className="num">{formatNumber(usage.inNone)}</td>
          <td className="num">{percent(usage.inNone, usage.total)}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}

function PrioritiesSummary({ w }: { w: Workshop }) {
  const usage = useUsage().result?.value ?? null;
  if (w.opportunities.length === 0) return <p className="muted">No opportunities yet.</p>;
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
    case 'use_cases':
      return w.useCases.length === 0 ? (
        <p className="muted">No use cases yet.</p>
      ) : (
        <table className="data-table present-table">
          <thead>
            <tr>
              <th scope="col">Use case</th>
              <th scope="col">Value proposition</th>
              <th scope="col">Personas</th>
            </tr>
          </thead>
          <tbody>
            {w.useCases.map((u) => (
              <tr key={u.id}>
                <td className="wrap">{u.name}</td>
                <td className="wrap">{u.valueProposition}</td>
                <td className="wrap">{u.personaIds.map((id) => w.personas.find((p) => p.id === id)?.name ?? id).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'behaviors':
      return w.personas.length === 0 ? (
        <p className="muted">No personas yet.</p>
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
      const columns = step.columns ?? [];
      return rows.length === 0 ? (
        <p className="muted">No rows yet.</p>
      ) : (
        <table className="data-table present-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} scope="col">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                {columns.map((c) => (
                  <td key={c.key} className="wrap">
                    {r.cells[c.key] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
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
  const steps = stepsOf(w);
  const step = currentStepOf(w);
  const index = steps.findIndex((s) => s.key === step.key);
  const go = (delta: number): void => {
    const next = steps[index + delta];
    if (next) update((d) => ({ ...d, currentStep: next.key }));
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
        else if (e.key === 'ArrowRight' || e.key === 'PageDown') go(1);
        else if (e.key === 'ArrowLeft' || e.key === 'PageUp') go(-1);
        else return;
        e.preventDefault();
      }}
    >
      <header className="presenting-header">
        <p className="eyebrow">
          {w.title} · Step {index + 1} of {steps.length}
          {step.phase ? ` · ${step.phase}` : ''}
        </p>
        <div className="row">
          <button type="button" onClick={() => go(-1)} disabled={index <= 0} aria-label="Previous step">
            ←
          </button>
          <button type="button" onClick={() => go(1)} disabled={index >= steps.length - 1} aria-label="Next step">
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
