import { useMemo } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { DailyVolumePoint } from '../../../shared/types';
import { formatDate, formatNumber } from '../lib/format';
import { BASE_CHART_OPTIONS, categoryAxis, chartColors, countAxis } from '../lib/charts';
import { cssVar, useResolvedTheme } from '../lib/theme';
import { useApp } from '../store';
import { ChartCard } from '../ui/ChartCard';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip);

const DAY_MS = 86_400_000;
export const VOLUME_DAYS = 90;

/**
 * Every UTC day of the window, days without events as zero: the backend lists only days that have
 * events, and a chart of a one-day import must still read as one day out of ninety.
 */
function fillDays(points: DailyVolumePoint[], asOf: number | null): DailyVolumePoint[] {
  const last = asOf !== null ? Math.floor((asOf - 1) / DAY_MS) : points.length > 0 ? Math.floor((points[points.length - 1]?.day ?? 0) / DAY_MS) : null;
  if (last === null) return points;
  const byDay = new Map(points.map((p) => [Math.floor(p.day / DAY_MS), p.events]));
  return Array.from({ length: VOLUME_DAYS }, (_, i) => {
    const day = last - VOLUME_DAYS + 1 + i;
    return { day: day * DAY_MS, events: byDay.get(day) ?? 0 };
  });
}

export function VolumeChart({ points: sparse, asOf }: { points: DailyVolumePoint[]; asOf: number | null }) {
  const theme = useResolvedTheme(useApp((s) => s.theme));
  const points = useMemo(() => fillDays(sparse, asOf), [sparse, asOf]);
  const data = useMemo(() => {
    return {
      labels: points.map((p) => formatDate(p.day)),
      datasets: [
        {
          label: 'Events',
          data: points.map((p) => p.events),
          backgroundColor: cssVar('--accent'),
          borderRadius: 2,
          maxBarThickness: 24,
        },
      ],
    };
    // The theme changes the CSS variables the colours come from.
  }, [points, theme]);
  const options = useMemo(() => {
    const colors = chartColors();
    return {
      ...BASE_CHART_OPTIONS,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx: { parsed: { y: number | null } }) => `${formatNumber(ctx.parsed.y ?? 0)} events` } },
      },
      scales: { x: categoryAxis(colors, 10), y: countAxis(colors, 'events per day') },
    };
    // The theme changes the CSS variables the colours come from.
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
