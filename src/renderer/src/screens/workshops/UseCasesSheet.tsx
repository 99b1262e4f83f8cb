import { useState, type FormEvent } from 'react';
import type { Workshop } from '../../../../shared/workshop/model';
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
    <section className="card" aria-labelledby="personas-title">
      <header className="card-header">
        <div>
          <h3 id="personas-title">Personas</h3>
          <p className="muted">Power users, occasional users, inactive users; administrators, creators, consumers…</p>
        </div>
      </header>
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
              <button type="button" className="ghost small" aria-label={`Remove persona ${p.name}`} onClick={() => update((d) => removePersona(d, p.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small-text">No personas yet.</p>
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
    </section>
  );
}

/** Step 1: use cases × value proposition × personas, and who overlaps with whom. */
export function UseCasesSheet({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const setUseCase = (id: string, change: Partial<Workshop['useCases'][number]>): void =>
    update((d) => ({ ...d, useCases: d.useCases.map((u) => (u.id === id ? { ...u, ...change } : u)) }));
  const addUseCase = (): void => {
    const id = newId('c');
    update((d) => ({ ...d, useCases: [...d.useCases, { id, name: '', valueProposition: '', personaIds: [] }] }));
    setTimeout(() => document.getElementById(`usecase-${id}`)?.focus(), 0);
  };

  return (
    <div className="worksheet">
      <PersonasEditor w={w} />
      <section className="card" aria-labelledby="usecases-title">
        <header className="card-header">
          <h3 id="usecases-title">Use cases</h3>
          <button type="button" className="small" onClick={addUseCase}>
            Add use case
          </button>
        </header>
        {w.useCases.length === 0 ? (
          <p className="muted small-text">List the main use cases, how each one gives value, and which personas use it.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table sheet-table">
              <thead>
                <tr>
                  <th scope="col">Use case</th>
                  <th scope="col">Value proposition</th>
                  <th scope="col">Personas using it</th>
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {w.useCases.map((u, i) => (
                  <tr key={u.id} data-testid="use-case-row">
                    <td>
                      <input
                        id={`usecase-${u.id}`}
                        aria-label={`Use case ${i + 1} name`}
                        value={u.name}
                        maxLength={500}
                        onChange={(e) => setUseCase(u.id, { name: e.target.value })}
                      />
                    </td>
                    <td className="wrap">
                      <textarea
                        aria-label={`Use case ${i + 1} value proposition`}
                        rows={2}
                        value={u.valueProposition}
                        maxLength={2000}
                        onChange={(e) => setUseCase(u.id, { valueProposition: e.target.value })}
                      />
                    </td>
                    <td className="wrap">
                      {w.personas.length === 0 ? <span className="muted small-text">Add personas first</span> : null}
                      <div className="chips" role="group" aria-label={`Personas using use case ${i + 1}`}>
                        {w.personas.map((p, pi) => {
                          const on = u.personaIds.includes(p.id);
                          return (
                            <button
                              key={p.id}
                              type="button"
                              className={on ? 'chip on' : 'chip'}
                              aria-pressed={on}
                              onClick={() =>
                                setUseCase(u.id, { personaIds: on ? u.personaIds.filter((x) => x !== p.id) : [...u.personaIds, p.id] })
                              }
                            >
                              <PersonaSwatch index={pi} />
                              {p.name}
                            </button>
                          );
                        })}
                      </div>
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="ghost small"
                        aria-label={`Remove use case ${u.name || i + 1}`}
                        onClick={() => update((d) => ({ ...d, useCases: d.useCases.filter((x) => x.id !== u.id) }))}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <OverlapMatrix w={w} />
    </div>
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
  return (
    <section className="card" aria-labelledby="overlap-title">
      <header className="card-header">
        <div>
          <h3 id="overlap-title">Overlap: persona × use case</h3>
          <p className="muted">Highlighted personas share at least one use case with another.</p>
        </div>
      </header>
      <div className="table-scroll">
        <table className="data-table matrix" data-testid="overlap-matrix">
          <thead>
            <tr>
              <th scope="col">Persona</th>
              {w.useCases.map((u, i) => (
                <th key={u.id} scope="col" className="center">
                  {u.name || `Use case ${i + 1}`}
                </th>
              ))}
              <th scope="col">Shares use cases with</th>
            </tr>
          </thead>
          <tbody>
            {w.personas.map((p, pi) => {
              const shared = [...(sharing.get(p.id) ?? [])];
              return (
                <tr key={p.id} className={shared.length > 0 ? 'shared' : undefined}>
                  <th scope="row">
                    <PersonaSwatch index={pi} />
                    {p.name}
                  </th>
                  {w.useCases.map((u) => {
                    const on = u.personaIds.includes(p.id);
                    return (
                      <td key={u.id} className="center">
                        {on ? (
                          <>
                            <span aria-hidden="true">✓</span>
                            <span className="visually-hidden">uses it</span>
                          </>
                        ) : (
                          <span className="visually-hidden">does not use it</span>
                        )}
                      </td>
                    );
                  })}
                  <td className="wrap muted">{shared.length > 0 ? shared.map(nameOf).join(', ') : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
