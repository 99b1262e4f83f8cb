/**
 * What every Guidepost chart shares: colours read from the theme's CSS variables, no animation,
 * a category x axis without grid lines and a count y axis with formatted ticks and a unit title.
 */
import { formatNumber } from './format';
import { cssVar } from './theme';

export interface ChartColors {
  grid: string;
  text: string;
}

/** Read at render time: call again when the theme changes. */
export function chartColors(): ChartColors {
  return { grid: cssVar('--border'), text: cssVar('--text-muted') };
}

export const BASE_CHART_OPTIONS = { responsive: true, maintainAspectRatio: false, animation: false as const };

export function categoryAxis(colors: ChartColors, maxTicksLimit: number) {
  return { ticks: { color: colors.text, maxTicksLimit }, grid: { display: false } };
}

/** A y axis of counts, starting at zero, titled with its unit ("events per day", "users"). */
export function countAxis(colors: ChartColors, unit: string) {
  return {
    beginAtZero: true,
    ticks: { color: colors.text, precision: 0, callback: (v: string | number) => formatNumber(Number(v)) },
    grid: { color: colors.grid },
    title: { display: true, text: unit, color: colors.text },
  };
}

/**
 * The options of a chart of one count series over categories: no legend, the tooltip's words, the x
 * axis with at most `xTicks` labels and the y axis of counts titled `unit`.
 */
export function countChartOptions<Callbacks extends object>(colors: ChartColors, xTicks: number, unit: string, tooltip: Callbacks) {
  return {
    ...BASE_CHART_OPTIONS,
    plugins: { legend: { display: false }, tooltip: { callbacks: tooltip } },
    scales: { x: categoryAxis(colors, xTicks), y: countAxis(colors, unit) },
  };
}
