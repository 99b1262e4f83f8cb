/** The contract's segment methods, answered by the segment service as of the cache's "data as of". */
import type { SegmentHandlers } from '../../shared/contract/segments';
import type { WorkshopService } from '../workshops/service';
import { requireRule, type SegmentService } from './service';

export interface SegmentDeps {
  segments: SegmentService;
  /** Workshop personas that use a segment: what deleting it would touch. */
  personasUsing: WorkshopService['personasUsing'];
  /** The instant asked for, else the cache's "data as of", else now. */
  defaultAsOf: (asOf?: number) => number;
}

export function createSegmentHandlers({ segments, personasUsing, defaultAsOf }: SegmentDeps): SegmentHandlers {
  return {
    previewSegment: ({ rule, asOf, sample }) => segments.preview(requireRule(rule), defaultAsOf(asOf), sample ?? 8),
    segmentMembers: ({ rule, segmentId, asOf, limit }) => {
      const at = defaultAsOf(asOf);
      const resolved = segmentId !== undefined ? segments.get(segmentId).rule : requireRule(rule);
      const members = segments.memberIds(resolved, at, limit);
      const count = limit === undefined ? members.length : segments.count(resolved, at);
      const total = segments.total(at);
      return { members, count, total, estimate: segments.estimate(count), totalEstimate: segments.estimate(total), asOf: at };
    },
    segmentTrend: ({ rule, asOf, weeks }) => segments.trend(requireRule(rule), defaultAsOf(asOf), weeks ?? 12),
    compareSegments: ({ segmentIds, goalEvent, asOf, windowDays, weeks }) =>
      segments.compare(
        segmentIds.map((id) => {
          const saved = segments.get(id);
          return { label: saved.name, rule: saved.rule };
        }),
        goalEvent,
        defaultAsOf(asOf),
        windowDays ?? 30,
        weeks ?? 8,
      ),
    listSegments: () => segments.list(),
    getSegment: ({ id }) => segments.get(id),
    saveSegment: (input) => segments.save(input),
    duplicateSegment: ({ id }) => segments.duplicate(id),
    segmentUsage: ({ id }) => ({ segments: segments.usedBy(id), personas: personasUsing(id) }),
    deleteSegment: ({ id }) => segments.delete(id),
  };
}
