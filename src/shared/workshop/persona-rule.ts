/**
 * From a persona's step-2 hypothesis to its segment rule, and the step-3 threshold back into it.
 *
 * The draft: the key action (the first of `actions`) at least `threshold` times within `windowDays`,
 * every `include` event at least once in that window, and no `exclude` event in it ("does X but not Y").
 */
import type { Condition, EventCondition, Rule } from '../segments/rule';
import type { Persona } from './model';

type PersonaHypothesis = Pick<Persona, 'actions' | 'threshold' | 'windowDays' | 'include' | 'exclude'>;

export function draftPersonaRule(p: PersonaHypothesis): Rule {
  const within = { days: p.windowDays };
  const conditions: Condition[] = [];
  const key = p.actions[0];
  if (key !== undefined) conditions.push({ type: 'event', event: key, op: '>=', count: Math.max(p.threshold, 1), within });
  for (const event of p.include) conditions.push({ type: 'event', event, op: '>=', count: 1, within });
  for (const event of p.exclude) conditions.push({ type: 'event', event, op: '=', count: 0, within });
  return { version: 1, match: 'all', conditions };
}

/** The top-level condition the threshold drives: the key action counted with >= (or >), not negated. */
export function thresholdCondition(rule: Rule, keyAction: string): EventCondition | undefined {
  for (const c of rule.conditions) {
    if (c.type === 'event' && c.event === keyAction && (c.op === '>=' || c.op === '>') && !c.negate) return c;
  }
  return undefined;
}

/**
 * The persona with its threshold moved: a drafted rule is drafted again; an edited rule keeps its shape
 * and only the key action's count changes (added as a condition when the editor removed it).
 */
export function withThreshold(p: Persona, threshold: number): Persona {
  const next: Persona = { ...p, threshold };
  if (!p.ruleEdited) return { ...next, rule: draftPersonaRule(next) };
  const key = p.actions[0];
  if (key === undefined) return next;
  const rule: Rule = structuredClone(p.rule);
  const target = thresholdCondition(rule, key);
  if (target) target.count = target.op === '>' ? Math.max(threshold - 1, 0) : threshold;
  else rule.conditions.unshift({ type: 'event', event: key, op: '>=', count: threshold, within: { days: p.windowDays } });
  return { ...next, rule };
}
