/**
 * What every Guidepost chart shares: colours read from the theme's CSS variables, no animation,
 * a category x axis without grid lines and a count y axis with formatted ticks and a unit title.
 */
import type { Plugin } from 'chart.js';
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

/** Where a bar chart's categories sit, in the canvas's pixels: the plotting area's left and right edges and how many bars share it. */
export interface CategoryArea {
  left: number;
  right: number;
  count: number;
}

/** The x of the boundary before category `index` (0: the first bar's left edge, `count`: the last bar's right edge). */
export function categoryBoundary(area: CategoryArea, index: number): number {
  const width = area.count > 0 ? (area.right - area.left) / area.count : 0;
  return area.left + index * width;
}

/**
 * How to place a range input of whole values `min`..`max` under a bar chart so that its thumb's centre
 * sits on the boundary before category (value - `firstValue`): a threshold "at least v" then points at
 * the left edge of v's bar, where the chart draws its line. `thumb` is the thumb's width in pixels (the
 * track runs from half a thumb in at each end). Answers the input's left offset and width.
 */
export function alignedRange(area: CategoryArea, min: number, max: number, firstValue: number, thumb: number): { left: number; width: number } {
  const from = categoryBoundary(area, min - firstValue);
  const to = categoryBoundary(area, max - firstValue);
  return { left: from - thumb / 2, width: Math.max(to - from, 0) + thumb };
}

/** A vertical threshold line across a bar chart, at the boundary before a category, with a short label at its top. */
export interface ThresholdLine {
  /** The category the line stands before (0 = the left edge of the first bar). */
  index: number;
  color: string;
  label: string;
}

/**
 * A small Chart.js plugin (no annotation dependency) that draws `line()` over the bars after they are
 * drawn, and reports the plotting area to `onArea` after each layout so a control can line up with it.
 * Both are read through functions, so one plugin object serves every render.
 */
export function thresholdLinePlugin(line: () => ThresholdLine | null, onArea: (area: CategoryArea) => void): Plugin<'bar'> {
  return {
    id: 'guidepostThresholdLine',
    afterLayout(chart) {
      const { left, right } = chart.chartArea;
      onArea({ left, right, count: chart.data.labels?.length ?? 0 });
    },
    afterDatasetsDraw(chart) {
      const spec = line();
      if (!spec) return;
      const { left, right, top, bottom } = chart.chartArea;
      const x = categoryBoundary({ left, right, count: chart.data.labels?.length ?? 0 }, spec.index);
      const { ctx } = chart;
      ctx.save();
      ctx.strokeStyle = spec.color;
      ctx.fillStyle = spec.color;
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = '600 12px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      // The label reads to the right of the line, or to its left near the chart's right edge.
      const width = ctx.measureText(spec.label).width;
      const toLeft = x + 6 + width > right;
      ctx.textAlign = toLeft ? 'right' : 'left';
      ctx.fillText(spec.label, toLeft ? x - 6 : x + 6, top + 2);
      ctx.restore();
    },
  };
}
