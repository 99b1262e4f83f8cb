import { useState, type FormEvent } from 'react';
import type { Persona, UseCase, Workshop } from '../../../../shared/workshop/model';
import { DataTable, type Column } from '../../ui/DataTable';
import { EmptyState } from '../../ui/EmptyState';
import { focusLater } from '../../ui/focusLater';
import { RemoveButton } from '../../ui/RemoveButton';
import { SheetCard, SheetTable } from './SheetParts';
import { newId, newPersona, removePersona, withPersona } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { useWorkshops } from './store';

/** Personas, added and renamed here and in step 2. */
export function PersonasEditor({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const add = (e: FormEvent): void => {
    e.preventDefault();
    if (!name.trim()) return;
    const p = newPersona(name.trim(), description.trim());
    update((d) => ({ ...d, personas: [...d.personas, p] }));
    setName('');
    setDescription('');
  };
  return (
    <SheetCard titleId="personas-title" title="Personas" subtitle="Power users, occasional users, inactive users; administrators, creators, consumers…">
      {w.personas.length > 0 ? (
        <ul className="persona-list">
          {w.personas.map((p, i) => (
            <li key={p.id}>
              <PersonaSwatch index={i} />
              <input
                aria-label={`Persona ${i + 1} name`}
                value={p.name}
                maxLength={200}
                onChange={(e) => update((d) => withPersona(d, p.id, { name: e.target.value }))}
              />
              <input
                aria-label={`Persona ${i + 1} description`}
                placeholder="Description"
                value={p.description}
                maxLength={2000}
                onChange={(e) => update((d) => withPersona(d, p.id, { description: e.target.value }))}
              />
              <RemoveButton label={`Remove persona ${p.name}`} onClick={() => update((d) => removePersona(d, p.id))} />
            </li>
          ))}
        </ul>
      ) : (
        <EmptyState size="inline" title="No personas yet" help="Name the kinds of users this workshop is about below; use cases and later steps build on them." />
      )}
      {w.personas.length < 20 ? (
        <form className="row add-persona" onSubmit={add} aria-label="Add a persona">
          <input aria-label="New persona name" placeholder="Persona name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          <input
            aria-label="New persona description"
            placeholder="Description (optional)"
            value={description}
            maxLength={2000}
            onChange={(e) => setDescription(e.target.value)}
          />
          <button type="submit" disabled={!name.trim()}>
            Add persona
          </button>
        </form>
      ) : null}
    </SheetCard>
  );
}

/** Step 1: use cases × value proposition × personas, and who overlaps with whom. */
export function UseCasesSheet({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const setUseCase = (id: string, change: Partial<UseCase>): void =>
    update((d) => ({ ...d, useCases: d.useCases.map((u) => (u.id === id ? { ...u, ...change } : u)) }));
  const addUseCase = (): void => {
    const id = newId('c');
    update((d) => ({ ...d, useCases: [...d.useCases, { id, name: '', valueProposition: '', personaIds: [] }] }));
    focusLater(() => document.getElementById(`usecase-${id}`));
  };
  const columns: Column<UseCase>[] = [
    {
      id: 'name',
      header: 'Use case',
      cell: (u, i) => (
        <input id={`usecase-${u.id}`} aria-label={`Use case ${i + 1} name`} value={u.name} maxLength={500} onChange={(e) => setUseCase(u.id, { name: e.target.value })} />
      ),
    },
    {
      id: 'value',
      header: 'Value proposition',
      className: 'wrap',
      cell: (u, i) => (
        <textarea
          aria-label={`Use case ${i + 1} value proposition`}
          rows={2}
          value={u.valueProposition}
          maxLength={2000}
          onChange={(e) => setUseCase(u.id, { valueProposition: e.target.value })}
        />
      ),
    },
    {
      id: 'personas',
      header: 'Personas using it',
      className: 'wrap',
      cell: (u, i) => <PersonaChips personas={w.personas} useCase={u} label={`Personas using use case ${i + 1}`} onChange={(personaIds) => setUseCase(u.id, { personaIds })} />,
    },
  ];

  return (
    <div className="worksheet">
      <PersonasEditor w={w} />
      <SheetCard
        titleId="usecases-title"
        title="Use cases"
        add={{ label: 'Add use case', run: addUseCase }}
      >
        <SheetTable
          columns={columns}
          rows={w.useCases}
          rowKey={(u) => u.id}
          rowTestId="use-case-row"
          removeLabel={(u, i) => `Remove use case ${u.name || i + 1}`}
          onRemove={(u) => update((d) => ({ ...d, useCases: d.useCases.filter((x) => x.id !== u.id) }))}
          empty="List the main use cases, how each one gives value, and which personas use it."
        />
      </SheetCard>
      <OverlapMatrix w={w} />
    </div>
  );
}

/** The personas as toggles: which of them use a use case. */
function PersonaChips({ personas, useCase: u, label, onChange }: { personas: readonly Persona[]; useCase: UseCase; label: string; onChange(personaIds: string[]): void }) {
  return (
    <>
      {personas.length === 0 ? <span className="muted small-text">Add personas first</span> : null}
      <div className="chips" role="group" aria-label={label}>
        {personas.map((p, pi) => {
          const on = u.personaIds.includes(p.id);
          return (
            <button
              key={p.id}
              type="button"
              className={on ? 'chip on' : 'chip'}
              aria-pressed={on}
              onClick={() => onChange(on ? u.personaIds.filter((x) => x !== p.id) : [...u.personaIds, p.id])}
            >
              <PersonaSwatch index={pi} />
              {p.name}
            </button>
          );
        })}
      </div>
    </>
  );
}

/** Persona × use case, with the personas that share use cases called out. */
export function OverlapMatrix({ w }: { w: Workshop }) {
  if (w.personas.length === 0 || w.useCases.length === 0) return null;
  const sharing = new Map<string, Set<string>>();
  for (const u of w.useCases) {
    for (const a of u.personaIds) {
      for (const b of u.personaIds) {
        if (a === b) continue;
        const set = sharing.get(a) ?? new Set<string>();
        set.add(b);
        sharing.set(a, set);
      }
    }
  }
  const nameOf = (id: string): string => w.personas.find((p) => p.id === id)?.name ?? id;
  const sharedWith = (p: Persona): string[] => [...(sharing.get(p.id) ?? [])];
  const columns: Column<Persona>[] = [
    {
      id: 'persona',
      header: 'Persona',
      rowHeader: true,
      cell: (p, pi) => (
        <>
          <PersonaSwatch index={pi} />
          {p.name}
        </>
      ),
    },
    ...w.useCases.map(
      (u, i): Column<Persona> => ({
        id: `usecase-${u.id}`,
        header: u.name || `Use case ${i + 1}`,
        className: 'center',
        headerClassName: 'center',
        cell: (p) =>
          u.personaIds.includes(p.id) ? (
            <>
              <span aria-hidden="true">✓</span>
              <span className="visually-hidden">uses it</span>
            </>
          ) : (
            <span className="visually-hidden">does not use it</span>
          ),
      }),
    ),
    {
      id: 'shares',
      header: 'Shares use cases with',
      className: 'wrap muted',
      cell: (p) => {
        const shared = sharedWith(p);
        return shared.length > 0 ? shared.map(nameOf).join(', ') : '—';
      },
    },
  ];
  return (
    <SheetCard titleId="overlap-title" title="Overlap: persona × use case" subtitle="Highlighted personas share at least one use case with another.">
      <DataTable
        className="matrix"
        testId="overlap-matrix"
        columns={columns}
        rows={w.personas}
        rowKey={(p) => p.id}
        rowProps={(p) => ({ className: sharedWith(p).length > 0 ? 'shared' : undefined })}
      />
    </SheetCard>
  );
}
