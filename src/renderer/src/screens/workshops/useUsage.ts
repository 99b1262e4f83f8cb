import type { Workshop } from '../../../../shared/workshop/model';
import type { WorkshopUsage } from '../../../../shared/workshop/usage';
import { api } from '../../lib/api';
import { useLatest, type Latest } from '../../lib/useLatest';
import { useApp } from '../../store';
import { useWorkshops } from './store';

/** What step 3's figures depend on, in the document the server holds. */
function usageKey(w: Workshop | null, dataVersion: number): string | null {
  if (!w) return null;
  const personas = w.personas.map((p) => [p.id, p.name, p.rule, p.actions, p.threshold, p.windowDays, p.frequency]);
  return JSON.stringify([w.id, dataVersion, w.asOf, w.usage, personas]);
}

let last: { key: string; value: WorkshopUsage } | null = null;

/** Step 3's figures for the open workshop, recomputed once the edits they depend on are saved. */
export function useUsage(): Latest<WorkshopUsage> & { key: string | null } {
  const saved = useWorkshops((s) => s.saved);
  const dataVersion = useApp((s) => s.dataVersion);
  const key = usageKey(saved, dataVersion);
  const id = saved?.id ?? '';
  const latest = useLatest<WorkshopUsage>(key, () => api.workshopUsage({ id }), 150);
  // The last answer outlives the component, so another step or the presenting view shows it at once.
  if (latest.result && latest.result.key === key) last = latest.result;
  if (!latest.result && last && last.key === key) return { result: last, error: null, pending: false, key };
  return { ...latest, key };
}
