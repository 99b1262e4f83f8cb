import { useEffect, useState } from 'react';
import { groupSizeOf, rankOpportunities } from '../../../../shared/workshop/ranking';
import { AREAS, AREA_LABELS, impactOf, type Opportunity, type Workshop } from '../../../../shared/workshop/model';
import type { WorkshopUsage } from '../../../../shared/workshop/usage';
import { DOTS_PER_PARTICIPANT, dotsBalance, dotsBalanceText, keepOrder } from '../../../../shared/workshop/voting';
import { api } from '../../lib/api';
import { formatNumber } from '../../lib/format';
import type { Column } from '../../ui/DataTable';
import { focusLater } from '../../ui/focusLater';
import { MAX_CHOSEN, newOpportunity } from './doc';
import { PersonaSwatch } from './PersonaSwatch';
import { BoundedNumber, OptionSelect, SheetCard, SheetTable } from './SheetParts';
import { useWorkshops } from './store';
import { useUsage } from './useUsage';

/** Effort and confidence, low to high. */
const SCALE: readonly number[] = [1, 2, 3, 4, 5];

/** Step 4 (and the segmentation session's last step): opportunities, impact, dot votes, the chosen one or two. */
export function PrioritiesSheet({ w }: { w: Workshop }) {
  const update = useWorkshops((s) => s.update);
  const usage = useUsage().result?.value ?? null;
  const set = (id: string, change: Partial<Opportunity>): void =>
    update((d) => ({ ...d, opportunities: d.opportunities.map((o) => (o.id === id ? { ...o, ...change } : o)) }));
  const add = (): void => {
    const o = newOpportunity(w.personas[0]?.id ?? '');
    update((d) => ({ ...d, opportunities: [...d.opportunities, o] }));
    focusLater(() => document.getElementById(`opportunity-${o.id}`));
  };

  return (
    <div className="worksheet">
      <SheetCard
        titleId="opportunities-title"
        title="Opportunities"
        subtitle="Impact = forecast improvement × group size (the persona’s users in step 3)."
        add={{ label: 'Add opportunity', run: add }}
      >
        <SheetTable
          className="opportunities"
          columns={opportunityColumns(w, usage, set)}
          rows={w.opportunities}
          rowKey={(o) => o.id}
          rowTestId="opportunity-row"
          removeLabel={(o, i) => `Remove ${o.title || `Opportunity ${i + 1}`}`}
          onRemove={(o) => update((d) => ({ ...d, opportunities: d.opportunities.filter((x) => x.id !== o.id) }))}
          empty="Where is the biggest opportunity? List one per row, with the persona it serves."
        />
      </SheetCard>
      <VoteCard w={w} usage={usage} set={set} />
      <MeasureCard w={w} set={set} />
    </div>
  );
}

type SetOpportunity = (id: string, change: Partial<Opportunity>) => void;

function opportunityColumns(w: Workshop, usage: WorkshopUsage | null, set: SetOpportunity): Column<Opportunity>[] {
  const personaIds = ['', ...w.personas.map((p) => p.id)];
  const personaName = (id: string): string => (id === '' ? 'None yet' : (w.personas.find((p) => p.id === id)?.name ?? id));
  const sizeOf = (o: Opportunity): number | null => groupSizeOf(o, usage);
  const named = (i: number, field: string): string => `Opportunity ${i + 1} ${field}`;
  return [
    {
      id: 'title',
      header: 'Opportunity',
      // A title wraps in its cell rather than scrolling out of sight in a one-line box.
      cell: (o, i) => (
        <textarea
          id={`opportunity-${o.id}`}
          className="title-cell"
          rows={1}
          aria-label={named(i, 'title')}
          value={o.title}
          maxLength={500}
          onChange={(e) => set(o.id, { title: e.target.value.replace(/\n/g, ' ') })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.preventDefault();
          }}
        />
      ),
    },
    {
      id: 'persona',
      header: 'Persona',
      cell: (o, i) => <OptionSelect aria-label={named(i, 'persona')} value={o.personaId} options={personaIds} label={personaName} onChange={(personaId) => set(o.id, { personaId })} />,
    },
    {
      id: 'improvement',
      header: 'Improvement %',
      numeric: true,
      cell: (o, i) => (
        <BoundedNumber
          aria-label={named(i, 'forecast improvement percent')}
          min={0}
          max={1000}
          step={0.5}
          value={o.improvementPct}
          onChange={(improvementPct) => set(o.id, { improvementPct })}
        />
      ),
    },
    { id: 'size', header: 'Group size', numeric: true, cell: (o) => formatFigure(sizeOf(o)) },
    {
      id: 'impact',
      header: 'Impact',
      numeric: true,
      cellProps: () => ({ 'data-testid': 'impact' }),
      cell: (o) => {
        const size = sizeOf(o);
        return formatFigure(size === null ? null : impactOf(o.improvementPct, size));
      },
    },
    {
      id: 'area',
      header: 'Area',
      cell: (o, i) => <OptionSelect aria-label={named(i, 'area')} value={o.area} options={AREAS} label={(a) => AREA_LABELS[a]} onChange={(area) => set(o.id, { area })} />,
    },
    {
      id: 'effort',
      header: 'Effort',
      cell: (o, i) => <OptionSelect aria-label={named(i, 'effort')} value={o.effort} options={SCALE} onChange={(effort) => set(o.id, { effort })} />,
    },
    {
      id: 'confidence',
      header: 'Confidence',
      cell: (o, i) => <OptionSelect aria-label={named(i, 'confidence')} value={o.confidence} options={SCALE} onChange={(confidence) => set(o.id, { confidence })} />,
    },
    {
      id: 'benchmark',
      header: 'Benchmark',
      cell: (o, i) => <input aria-label={named(i, 'benchmark')} value={o.benchmark} maxLength={500} onChange={(e) => set(o.id, { benchmark: e.target.value })} />,
    },
    {
      id: 'goal',
      header: 'Goal',
      cell: (o, i) => <input aria-label={named(i, 'goal')} value={o.goal} maxLength={500} onChange={(e) => set(o.id, { goal: e.target.value })} />,
    },
  ];
}

/**
 * Dot votes per participant (or for the room), the ranking they make, and the one or two chosen. While
 * the room votes the list keeps the order it had when the first dot moved (keepOrder), so the row under
 * the pointer never jumps; "Re-rank" (or coming back to the step) sorts it again.
 */
function VoteCard({ w, usage, set }: { w: Workshop; usage: WorkshopUsage | null; set: SetOpportunity }) {
  // Kept while the list is empty, so the voter stays picked when opportunities come back.
  const [voterPick, setVoter] = useState<string | null>(null);
  // The order frozen at the first vote; null shows the live ranking.
  const [frozen, setFrozen] = useState<string[] | null>(null);
  if (w.opportunities.length === 0) return null;
  const voters = w.participants.length > 0 ? w.participants.map((p) => ({ id: p.id, name: p.name })) : [{ id: '', name: 'The room' }];
  const voter = voters.find((v) => v.id === voterPick) ?? (voters[0] as { id: string; name: string });
  const balance = dotsBalance(w, voter.id);
  const chosenCount = w.opportunities.filter((o) => o.chosen).length;
  const ranked = rankOpportunities(w, usage);
  const shown = frozen ? keepOrder(frozen, ranked, (r) => r.opportunity.id) : ranked;
  const reordered = shown.some((r, i) => ranked[i]?.opportunity.id !== r.opportunity.id);
  const vote = (o: Opportunity, delta: number): void => {
    if (!frozen) setFrozen(shown.map((r) => r.opportunity.id));
    const next = Math.max(0, (o.votes[voter.id] ?? 0) + delta);
    const votes = { ...o.votes, [voter.id]: next };
    if (next === 0) delete votes[voter.id];
    set(o.id, { votes });
  };

  return (
    <SheetCard
      titleId="voting-title"
      title="Vote and choose"
      subtitle={`Each participant has ${DOTS_PER_PARTICIPANT} dots. Ranked by votes, then impact. Choose up to ${MAX_CHOSEN}.`}
      action={
        <div className="row">
          <label className="inline-label">
            Voting as
            <OptionSelect value={voter.id} options={voters.map((v) => v.id)} label={(id) => voters.find((v) => v.id === id)?.name ?? id} onChange={setVoter} />
          </label>
          <span className={balance.over > 0 ? 'badge warning' : 'badge'} data-testid="dots-left" aria-live="polite">
            {dotsBalanceText(balance)}
          </span>
        </div>
      }
    >
      {reordered ? (
        <p className="row rerank-note" data-testid="rerank-note">
          <span className="muted small-text">The order stays put while you vote; the votes have changed the ranking.</span>
          <button type="button" className="small" onClick={() => setFrozen(null)}>
            Re-rank
          </button>
        </p>
      ) : null}
      <ol className="ranked" data-testid="ranked-opportunities">
        {shown.map(({ opportunity: o, votes, impact, rank }, position) => {
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
                  {position + 1 !== rank ? <span data-testid="live-rank">{` · now #${rank}`}</span> : null}
                </span>
              </div>
              <span className="dots" aria-label={`${votes} votes`} data-testid="votes">
                <span aria-hidden="true">{'●'.repeat(Math.min(votes, 30))}</span> {votes}
              </span>
              <span className="row vote-buttons">
                <button type="button" className="small" aria-label={`Remove a dot from ${label}`} disabled={mine === 0} onClick={() => vote(o, -1)}>
                  −
                </button>
                <button type="button" className="small" aria-label={`Give a dot to ${label}`} disabled={balance.left === 0} onClick={() => vote(o, 1)}>
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
    </SheetCard>
  );
}

const formatFigure = (n: number | null): string => (n === null ? '—' : formatNumber(n));

/**
 * Closing the loop (issue 19): each chosen opportunity linked to the message that acts on it and the
 * event that says it worked. The exports' "since the workshop" page reports the message's reach (and,
 * once measured, its lift) from these links.
 */
function MeasureCard({ w, set }: { w: Workshop; set: SetOpportunity }) {
  const [messages, setMessages] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    let live = true;
    api
      .listMessages({})
      .then((records) => {
        if (live) setMessages(records.map((r) => ({ id: r.message.id, name: r.message.name })));
      })
      // Without the list the links already made still show by id; nothing else depends on it.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const chosen = w.opportunities.filter((o) => o.chosen);
  if (chosen.length === 0) return null;
  return (
    <SheetCard titleId="measure-title" title="Measure it" subtitle="Link each chosen opportunity to the message that acts on it and the event that says it worked.">
      <ul className="measure-list" data-testid="measure-links">
        {chosen.map((o) => {
          const label = o.title || 'Untitled opportunity';
          const ids = ['', ...messages.map((m) => m.id), ...(o.messageId && !messages.some((m) => m.id === o.messageId) ? [o.messageId] : [])];
          return (
            <li key={o.id} className="row measure-row">
              <strong>{label}</strong>
              <label className="inline-label">
                Message
                <OptionSelect
                  aria-label={`Message for ${label}`}
                  value={o.messageId ?? ''}
                  options={ids}
                  label={(id) => (id === '' ? 'None yet' : (messages.find((m) => m.id === id)?.name ?? id))}
                  onChange={(id) => set(o.id, { messageId: id === '' ? undefined : id })}
                />
              </label>
              <label className="inline-label">
                Goal event
                <input
                  aria-label={`Goal event for ${label}`}
                  value={o.goalEvent ?? ''}
                  maxLength={200}
                  placeholder="e.g. plan_upgraded"
                  onChange={(e) => set(o.id, { goalEvent: e.target.value.trim() === '' ? undefined : e.target.value })}
                />
              </label>
            </li>
          );
        })}
      </ul>
    </SheetCard>
  );
}
