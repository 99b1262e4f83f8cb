import { useApp, type Area } from '../store';
import { EmptyState } from '../ui/EmptyState';

const INTROS: Partial<Record<Area, { title: string; body: string }>> = {
  workshops: {
    title: 'Workshops: build behavioral personas with your customer',
    body: 'The four-step persona workshop (brainstorm personas, map behaviors, check them against data, prioritize) runs here, offline, with timers and exports. It uses the events in your cache for step 3.',
  },
  messages: {
    title: 'Messages: reach a segment inside the product',
    body: 'Upsell modals and NPS surveys, targeted at a segment or a workshop persona, previewed exactly as users will see them and published to the delivery API.',
  },
};

/** The first thing a not-yet-populated area says: what it is for, and the one step that gets there. */
export function AreaIntro({ area }: { area: Area }) {
  const setArea = useApp((s) => s.setArea);
  const status = useApp((s) => s.status);
  const intro = INTROS[area];
  if (!intro) return null;
  const needsData = status !== null && status.users === 0;
  return (
    <EmptyState
      title={intro.title}
      actions={
        needsData ? (
          <button type="button" className="primary" onClick={() => setArea('data')}>
            Bring events in first
          </button>
        ) : undefined
      }
    >
      <p>{intro.body}</p>
    </EmptyState>
  );
}
