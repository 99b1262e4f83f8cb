/**
 * The accessibility check every end-to-end suite can run: axe-core (through @axe-core/playwright) over
 * what the page shows now, failing on any serious or critical violation against WCAG 2.x A/AA and
 * axe's best practices. Minor and moderate findings are not failures (axe rates them as annoyances,
 * not barriers), but they are attached to the test's report so they stay visible.
 *
 *   await expectNoSeriousA11yViolations(page, 'segment builder, dark');
 *
 * `include` narrows the check to part of the page (an SDK widget inside a host page, say); by default
 * the whole document is checked. Nothing is excluded: a finding is fixed, not hidden.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

const BLOCKING_IMPACTS = new Set(['serious', 'critical']);
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

export interface A11yFinding {
  rule: string;
  impact: string;
  help: string;
  /** Where: each offending element's selector, with axe's summary of what is wrong with it. */
  targets: string[];
}

/** Runs axe over the page (or the `include` selector) and answers its findings, worst first. */
export async function a11yFindings(page: Page, options: { include?: string } = {}): Promise<A11yFinding[]> {
  // Legacy mode runs axe once in the page, same-origin frames included (the message preview's frame).
  // The default mode finishes its run in a second, blank page, which hung on that preview.
  let builder = new AxeBuilder({ page }).withTags(TAGS).setLegacyMode(true);
  if (options.include) builder = builder.include(options.include);
  const results = await builder.analyze();
  const order = ['critical', 'serious', 'moderate', 'minor'];
  return results.violations
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((n) => `${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`),
    }))
    .sort((a, b) => order.indexOf(a.impact) - order.indexOf(b.impact));
}

/** Fails, naming each rule and element, when axe finds a serious or critical violation on the page. */
export async function expectNoSeriousA11yViolations(page: Page, label: string, options: { include?: string } = {}): Promise<void> {
  const findings = await a11yFindings(page, options);
  const minor = findings.filter((f) => !BLOCKING_IMPACTS.has(f.impact));
  if (minor.length > 0) {
    await test.info().attach(`a11y-minor-${label}`, { body: JSON.stringify(minor, null, 2), contentType: 'application/json' });
  }
  const blocking = findings.filter((f) => BLOCKING_IMPACTS.has(f.impact));
  const report = blocking.map((f) => `[${f.impact}] ${f.rule}: ${f.help}\n  ${f.targets.join('\n  ')}`).join('\n');
  expect(blocking, `serious or critical accessibility violations on ${label}:\n${report}`).toEqual([]);
}
