import { BASE_CHART_OPTIONS, categoryAxis, chartColors, countAxis } from '../../lib/charts';
import { formatNumber } from '../../lib/format';

/** The options of an "answers by score" bar chart (the NPS view's and every scored survey question's), in the theme's colours now. */
export function answersByScoreOptions() {
  const colors = chartColors();
  return {
    ...BASE_CHART_OPTIONS,
    plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx: { parsed: { y: number | null } }) => `${formatNumber(ctx.parsed.y ?? 0)} answers` } } },
    scales: { x: { ...categoryAxis(colors, 11), title: { display: true, text: 'score', color: colors.text } }, y: countAxis(colors, 'answers') },
  };
}
