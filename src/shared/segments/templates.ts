/**
 * Segment templates: the engagement ladder, parameterized by the events that mean "activated" and
 * "core use", and the classic examples from the behavioral segmentation literature (power users,
 * users of a feature, inactive for 30 days, hit a usage limit).
 */
import type { Rule } from './rule';

export interface SegmentTemplate {
  key: string;
  name: string;
  description: string;
  rule: Rule;
}

export interface LadderParameters {
  /** The first action that delivers value (e.g. project_created). */
  activatedEvent: string;
  /** The action that is the product's core use (e.g. report_run). */
  coreEvent: string;
  /** Core actions in 30 days that make a power user. */
  powerThreshold?: number;
}

const all = (...conditions: Rule['conditions']): Rule => ({ version: 1, match: 'all', conditions });

export function engagementLadder({ activatedEvent, coreEvent, powerThreshold = 6 }: LadderParameters): SegmentTemplate[] {
  return [
    {
      key: 'new',
      name: 'New signups',
      description: 'First seen in the last 14 days.',
      rule: all({ type: 'first_seen', op: 'within', days: 14 }),
    },
    {
      key: 'not-activated',
      name: 'Signed up, not activated',
      description: `Seen in the last 30 days but never did ${activatedEvent}.`,
      rule: all({ type: 'last_seen', op: 'within', days: 30 }, { type: 'event', event: activatedEvent, op: '=', count: 0 }),
    },
    {
      key: 'activated',
      name: 'Activated',
      description: `Did ${activatedEvent} at least once.`,
      rule: all({ type: 'event', event: activatedEvent, op: '>=', count: 1 }),
    },
    {
      key: 'engaged',
      name: 'Engaged',
      description: `Did ${coreEvent} in the last 30 days.`,
      rule: all({ type: 'event', event: coreEvent, op: '>=', count: 1, within: { days: 30 } }),
    },
    {
      key: 'power',
      name: 'Power users',
      description: `Did ${coreEvent} at least ${powerThreshold} times in the last 30 days.`,
      rule: all({ type: 'event', event: coreEvent, op: '>=', count: powerThreshold, within: { days: 30 } }),
    },
    {
      key: 'at-risk',
      name: 'At risk',
      description: `Used ${coreEvent} before, not in the last 14 days, and still seen in the last 30.`,
      rule: all(
        { type: 'event', event: coreEvent, op: '>=', count: 1 },
        { type: 'event', event: coreEvent, op: '=', count: 0, within: { days: 14 } },
        { type: 'last_seen', op: 'within', days: 30 },
      ),
    },
    {
      key: 'churned',
      name: 'Churned',
      description: 'Not seen for more than 30 days.',
      rule: all({ type: 'last_seen', op: 'before', days: 30 }),
    },
  ];
}

export function classicTemplates(params: { coreEvent: string; featureEvent: string; limitEvent: string }): SegmentTemplate[] {
  return [
    {
      key: 'classic-power',
      name: 'Power users',
      description: `Did ${params.coreEvent} at least 6 times in the last 30 days.`,
      rule: all({ type: 'event', event: params.coreEvent, op: '>=', count: 6, within: { days: 30 } }),
    },
    {
      key: 'classic-feature',
      name: `Users of ${params.featureEvent}`,
      description: `Did ${params.featureEvent} in the last 30 days.`,
      rule: all({ type: 'event', event: params.featureEvent, op: '>=', count: 1, within: { days: 30 } }),
    },
    {
      key: 'classic-inactive',
      name: 'Inactive for 30 days',
      description: 'No record in the last 30 days.',
      rule: all({ type: 'last_seen', op: 'before', days: 30 }),
    },
    {
      key: 'classic-limit',
      name: 'Hit a usage limit',
      description: `Did ${params.limitEvent} in the last 30 days: the moment an upsell is welcome.`,
      rule: all({ type: 'event', event: params.limitEvent, op: '>=', count: 1, within: { days: 30 } }),
    },
  ];
}
