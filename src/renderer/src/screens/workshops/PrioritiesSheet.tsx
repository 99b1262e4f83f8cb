import { useState } from 'react';
import { groupSizeOf, rankOpportunities } from '../../../../shared/workshop/ranking';
import { AREAS, AREA_LABELS, impactOf, type Area, type Opportunity, type Workshop } from '../../../../shared/workshop/model';
import { formatNumber } from '../../lib/format';
import { DOTS_PER_PARTICIPANT, MAX_CHOSEN, newOpportunity } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { useWorkshops } from './store';
import { useUsage } from './useUsage';

const SCALE = [1, 2, 3, 4, 5] as const;

function clampInt(value: string, min: number, max: number): number {
  const n = Math.round(Number(value));
  return Number.isFinite(n) ? Math.max(min, Math.min(max, n)) : min;
}

/** Step 4 (and the segmentation session's last step): opportunities, impact, dot votes, the chosen one or two. */
export function PrioritiesSheet({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const usage = useUsage().result?.value ?? null;
  const [voterPick, setVoter] = useState<string | null>(null);
  const voters = w.participants.length > 0 ? w.participants.map((p) => ({ id: p.id, name: p.name })) : [{ id: '', name: 'The room' }];
  const voter = voters.find((v) => v.id === voterPick) ?? (voters[0] as { id: string; name: string });
  const used = w.opportunities.reduce((sum, o) => sum + (o.votes[voter.id] ?? 0), 0);
  const left = DOTS_PER_PARTICIPANT - used;
  const chosenCount = w.opportunities.filter((o) => o.chosen).length;

  const set = (id: string, change: Partial<Opportunity>): void =>
    update((d) => ({ ...d, opportunities: d.opportunities.map((o) => (o.id === id ? { ...o, ...change } : o)) }));
  const vote = (o: Opportunity, delta: number): void => {
    const next = Math.max(0, (o.votes[voter.id] ?? 0) + delta);
    const votes = { ...o.votes, [voter.id]: next };
    if (next === 0) delete votes[voter.id];
    set(o.id, { votes });
  };
  const add = (): void => {
    const o = newOpportunity(w.personas[0]?.id ?? '');
    update((d) => ({ ...d, opportunities: [...d.opportunities, o] }));
    setTimeout(() => document.getElementById(`opportunity-${o.id}`)?.focus(), 0);
  };

  return (
    <div className="worksheet">
      <section className="card" aria-labelledby="opportunities-title">
        <header className="card-header">
          <div>
            <h3 id="opportunities-title">Opportunities</h3>
            <p className="muted">Impact = forecast improvement × group size (the persona’s users in step 3).</p>
          </div>
          <button type="button" className="small" onClick={add}>
            Add opportunity
          </button>
        </header>
        {w.opportunities.length === 0 ? (
          <p className="muted small-text">Where is the biggest opportunity? List one per row, with the persona it serves.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table sheet-table opportunities">
              <thead>
                <tr>
                  <th scope="col">Opportunity</th>
                  <th scope="col">Persona</th>
                  <th scope="col">Area</th>
                  <th scope="col" className="num">Improvement %</th>
                  <th scope="col" className="num">Group size</th>
                  <th scope="col" className="num">Impact</th>
                  <th scope="col">Effort</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Benchmark</th>
                  <th scope="col">Goal</th>
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {w.opportunities.map((o, i) => {
                  const size = groupSizeOf(o, usage);
                  const n = `Opportunity ${i + 1}`;
                  return (
                    <tr key={o.id} data-testid="opportunity-row">
                      <td>
                        <input id={`opportunity-${o.id}`} aria-label={`${n} title`} value={o.title} maxLength={500} onChange={(e) => set(o.id, { title: e.target.value })} />
                      </td>
                      <td>
                        <select aria-label={`${n} persona`} value={o.personaId} onChange={(e) => set(o.id, { personaId: e.target.value })}>
                          <option value="">None yet</option>
                          {w.personas.map((p) => (
                            <option key={p.id} value={p.id}>
                              {p.name}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <select aria-label={`${n} area`} value={o.area} onChange={(e) => set(o.id, { area: e.target.value as Area })}>
                          {AREAS.map((a) => (
                            <option key={a} value={a}>
                              {AREA_LABELS[a]}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td className="num">
                        <input
                          type="number"
                          className="w-num"
                          aria-label={`${n} forecast improvement percent`}
                          min={0}
                          max={1000}
                          step={0.5}
                          value={o.improvementPct}
                          onChange={(e) => set(o.id, { improvementPct: Math.max(0, Math.min(1000, Number(e.target.value) || 0)) })}
                        />
                      </td>
                      <td className="num">{size === null ? '—' : formatNumber(size)}</td>
                      <td className="num" data-testid="impact">
                        {size === null ? '—' : formatNumber(impactOf(o.improvementPct, size))}
                      </td>
                      <td>
                        <select aria-label={`${n} effort`} value={o.effort} onChange={(e) => set(o.id, { effort: clampInt(e.target.value, 1, 5) })}>
                          {SCALE.map((v) => (
                            <option key={v} value={v}>
                              {v}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <select aria-label={`${n} confidence`} value={o.confidence} onChange={(e) => set(o.id, { confidence: clampInt(e.target.value, 1, 5) })}>
                          {SCALE.map((v) => (
                            <option key={v} value={v}>
                              {v}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <input aria-label={`${n} benchmark`} value={o.benchmark} maxLength={500} onChange={(e) => set(o.id, { benchmark: e.target.value })} />
                      </td>
                      <td>
                        <input aria-label={`${n} goal`} value={o.goal} maxLength={500} onChange={(e) => set(o.id, { goal: e.target.value })} />
                      </td>
                      <td className="row-actions">
                        <button
                          type="button"
                          className="ghost small"
                          aria-label={`Remove ${o.title || n}`}
                          onClick={() => update((d) => ({ ...d, opportunities: d.opportunities.filter((x) => x.id !== o.id) }))}
                        >
                          ×
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {w.opportunities.length > 0 ? (
        <section className="card" aria-labelledby="voting-title">
          <header className="card-header">
            <div>
              <h3 id="voting-title">Vote and choose</h3>
              <p className="muted">
                Each participant has {DOTS_PER_PARTICIPANT} dots. Ranked by votes, then impact. Choose up to {MAX_CHOSEN}.
              </p>
            </div>
            <div className="row">
              <label className="inline-label">
                Voting as
                <select value={voter.id} onChange={(e) => setVoter(e.target.value)}>
                  {voters.map((v) => (
                    <option key={v.id} value={v.id}>
                      {v.name}
                    </option>
                  ))}
                </select>
              </label>
              <span className="badge" data-testid="dots-left" aria-live="polite">
                {left} of {DOTS_PER_PARTICIPANT} dots left
              </span>
            </div>
          </header>
          <ol className="ranked" data-testid="ranked-opportunities">
            {rankOpportunities(w, usage).map(({ opportunity: o, votes, impact }) => {
              const pi = w.personas.findIndex((p) => p.id === o.personaId);
              const mine = o.votes[voter.id] ?? 0;
              const label = o.title || 'Untitled opportunity';
              return (
                <li key={o.id} className={o.chosen ? 'ranked-item chosen' : 'ranked-item'} data-testid="ranked-item">
                  <div className="ranked-main">
                    <strong>{label}</strong>
                    <span className="muted small-text">
                      {pi >= 0 ? (
                        <>
                          <PersonaSwatch index={pi} />
                          {w.personas[pi]?.name}
                        </>
                      ) : (
                        'No persona'
                      )}
                      {' · '}
                      {AREA_LABELS[o.area]}
                      {impact !== null ? ` · impact ${formatNumber(impact)} users` : ''}
                      {` · effort ${o.effort}, confidence ${o.confidence}`}
                    </span>
                  </div>
                  <span className="dots" aria-label={`${votes} votes`} data-testid="votes">
                    <span aria-hidden="true">{'●'.repeat(Math.min(votes, 30))}</span> {votes}
                  </span>
                  <span className="row vote-buttons">
                    <button type="button" className="small" aria-label={`Remove a dot from ${label}`} disabled={mine === 0} onClick={() => vote(o, -1)}>
                      −
                    </button>
                    <button type="button" className="small" aria-label={`Give a dot to ${label}`} disabled={left <= 0} onClick={() => vote(o, 1)}>
                      +
                    </button>
                  </span>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={o.chosen}
                      disabled={!o.chosen && chosenCount >= MAX_CHOSEN}
                      onChange={(e) => set(o.id, { chosen: e.target.checked })}
                      aria-label={`Choose ${label}`}
                    />
                    Chosen
                  </label>
                </li>
              );
            })}
          </ol>
          {chosenCount >= MAX_CHOSEN ? <p className="muted small-text">Two chosen: un-choose one to pick another.</p> : null}
        </section>
      ) : null}
    </div>
  );
}
