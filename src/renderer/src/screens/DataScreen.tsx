import { useEffect, useMemo, useState } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { DailyVolumePoint, EventCatalogEntry } from '../../../shared/types';
import { ChartCard } from '../components/ChartCard';
import { EmptyState } from '../components/EmptyState';
import { api, errorMessage } from '../lib/api';
import { formatDate, formatDateTime, formatNumber } from '../lib/format';
import { cssVar, useResolvedTheme } from '../lib/theme';
import { useApp } from '../store';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip);

type SortKey = 'name' | 'count' | 'users' | 'firstSeen' | 'lastSeen';

export function DataScreen() {
  const status = useApp((s) => s.status);
  const dataVersion = useApp((s) => s.dataVersion);
  const jobs = useApp((s) => s.jobs);
  const toast = useApp((s) => s.toast);
  const [catalog, setCatalog] = useState<EventCatalogEntry[] | null>(null);
  const [volume, setVolume] = useState<DailyVolumePoint[]>([]);
  const [error, setError] = useState<string | null>(null);
  const demoRunning = Object.values(jobs).some((j) => j.kind === 'demo' && j.state === 'running');
  const isEmpty = status !== null && status.users === 0;

  useEffect(() => {
    if (!status || isEmpty) return;
    let live = true;
    Promise.all([api.listEventCatalog({}), api.getDailyVolume({ days: 90 })])
      .then(([c, v]) => {
        if (!live) return;
        setCatalog(c);
        setVolume(v);
        setError(null);
      })
      .catch((err: unknown) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [dataVersion, isEmpty, status?.dataAsOf, status !== null]);

  const openDemo = async (): Promise<void> => {
    try {
      await api.startDemo({});
    } catch (err) {
      toast('error', errorMessage(err));
    }
  };

  if (!status) return <p className="muted pad">Opening the cache…</p>;

  if (isEmpty) {
    const demoJob = Object.values(jobs).find((j) => j.kind === 'demo' && j.state === 'running');
    return (
      <EmptyState
        title="Bring your product's events in"
        actions={
          <>
            <button type="button" className="primary" onClick={() => void openDemo()} disabled={demoRunning}>
              {demoRunning ? 'Generating the demo…' : 'Open the demo workspace'}
            </button>
            <button type="button" disabled title="File import arrives with the events import feature.">
              Import events
            </button>
            <button type="button" disabled title="Syncing from a delivery server arrives with the sync feature.">
              Connect a source
            </button>
          </>
        }
      >
        <p>
          Guidepost works from a local copy of your product's events, so segments, workshops and charts keep working offline.
          Start with the demo workspace: a project-management product with 50,000 users and 90 days of behavior.
        </p>
        {demoJob ? (
          <div className="inline-progress" aria-live="polite">
            <progress max={demoJob.progress.total ?? undefined} value={demoJob.progress.done} aria-label="Demo generation progress" />
            <span className="muted">
              {formatNumber(demoJob.progress.done)} of {formatNumber(demoJob.progress.total ?? 0)} users
            </span>
          </div>
        ) : null}
      </EmptyState>
    );
  }

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Data</h1>
          <p className="muted">
            {formatNumber(status.users)} users · {formatNumber(status.events)} events
            {status.dataAsOf !== null ? ` · data as of ${formatDateTime(status.dataAsOf)}` : ''}
          </p>
        </div>
      </header>
      {error ? <p className="error-banner" role="alert">{error}</p> : null}
      <VolumeChart points={volume} />
      <CatalogTable catalog={catalog} />
    </div>
  );
}

function VolumeChart({ points }: { points: DailyVolumePoint[] }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const data = useMemo(() => {
    return {
      labels: points.map((p) => formatDate(p.day)),
      datasets: [
        {
          label: 'Events',
          data: points.map((p) => p.events),
          backgroundColor: cssVar('--accent'),
          borderRadius: 2,
        },
      ],
    };
    // The theme changes the CSS variables the colours come from.
  }, [points, theme]);
  const options = useMemo(() => {
    const grid = cssVar('--border');
    const text = cssVar('--text-muted');
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx: { parsed: { y: number | null } }) => `${formatNumber(ctx.parsed.y ?? 0)} events` } },
      },
      scales: {
        x: { ticks: { color: text, maxTicksLimit: 10 }, grid: { display: false } },
        y: { ticks: { color: text, callback: (v: string | number) => formatNumber(Number(v)) }, grid: { color: grid }, title: { display: true, text: 'events per day', color: text } },
      },
    };
  }, [theme]);
  return (
    <ChartCard
      title="Daily event volume"
      subtitle="Events per UTC day, last 90 days up to the data's as-of date"
      header={['day', 'events']}
      rows={points.map((p) => [formatDate(p.day), p.events])}
    >
      <Bar data={data} options={options} aria-label="Bar chart of daily event volume" role="img" />
    </ChartCard>
  );
}

function CatalogTable({ catalog }: { catalog: EventCatalogEntry[] | null }) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'count', desc: true });
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const list = (catalog ?? []).filter((e) => e.name.toLowerCase().includes(needle));
    const dir = sort.desc ? -1 : 1;
    return list.sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      return (typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number)) * dir;
    });
  }, [catalog, filter, sort]);
  const header = (key: SortKey, label: string, numeric = false) => (
    <th scope="col" className={numeric ? 'num' : undefined} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'name' })}>
        {label}
        {sort.key === key ? (sort.desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  return (
    <section className="card" aria-label="Event catalog">
      <header className="card-header">
        <div>
          <h3>Event catalog</h3>
          <p className="muted">{catalog ? `${catalog.length} event names` : 'Loading…'}</p>
        </div>
        <input
          type="search"
          placeholder="Filter events"
          aria-label="Filter events"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </header>
      <div className="table-scroll">
        <table className="data-table" data-testid="event-catalog">
          <thead>
            <tr>
              {header('name', 'Event')}
              {header('count', 'Events', true)}
              {header('users', 'Users', true)}
              {header('firstSeen', 'First seen')}
              {header('lastSeen', 'Last seen')}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.name}>
                <td><code>{e.name}</code></td>
                <td className="num">{formatNumber(e.count)}</td>
                <td className="num">{formatNumber(e.users)}</td>
                <td>{formatDateTime(e.firstSeen)}</td>
                <td>{formatDateTime(e.lastSeen)}</td>
              </tr>
            ))}
            {catalog && rows.length === 0 ? (
              <tr><td colSpan={5} className="muted">No event matches “{filter}”.</td></tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
