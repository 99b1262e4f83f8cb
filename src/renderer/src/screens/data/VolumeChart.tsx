import { useMemo } from 'react';
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import type { DailyVolumePoint } from '../../../../shared/types';
import { chartColors, countChartOptions } from '../../lib/charts';
import { formatDate, formatNumber } from '../../lib/format';
import { cssVar, useResolvedTheme } from '../../lib/theme';
import { useApp } from '../../store';
import { ChartCard } from '../../ui/ChartCard';
import { fillDays } from './model';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip);

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
  const options = useMemo(
    () =>
      countChartOptions(chartColors(), 10, 'events per day', {
        label: (ctx: { parsed: { y: number | null } }) => `${formatNumber(ctx.parsed.y ?? 0)} events`,
      }),
    // The theme changes the CSS variables the colours come from.
    [theme],
  );
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
