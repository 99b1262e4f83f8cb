/** The contract's segment methods: previews, members, trends and comparisons of rules, and saved segments. */
import { z } from 'zod';
import type { SavedSegment, SegmentComparison, SegmentMembers, SegmentPreview, SegmentTrendPoint } from '../types';
import { epochMs, method, noArgs, type HandlersFor } from './method';

const segmentId = z.string().min(1).max(100);

export const segmentMethods = {
  /** Size, share, sentence, warnings and a sample of a rule (saved or not) as of asOf (default: data as of). */
  previewSegment: method<SegmentPreview>()(
    z.object({ rule: z.unknown(), asOf: epochMs.optional(), sample: z.number().int().min(0).max(100).optional() }).strict(),
  ),
  /** Member ids of a rule or a saved segment. */
  segmentMembers: method<SegmentMembers>()(
    z
      .object({ rule: z.unknown().optional(), segmentId: segmentId.optional(), asOf: epochMs.optional(), limit: z.number().int().min(1).max(1_000_000).optional() })
      .strict()
      .refine((a) => (a.rule === undefined) !== (a.segmentId === undefined), 'give either a rule or a segmentId'),
  ),
  /** The rule's size at the end of each of the last `weeks` weeks (default 12). */
  segmentTrend: method<SegmentTrendPoint[]>()(
    z.object({ rule: z.unknown(), asOf: epochMs.optional(), weeks: z.number().int().min(1).max(52).optional() }).strict(),
  ),
  /** Do 2 to 5 segments behave differently? Size, goal conversion and weekly activity for each. */
  compareSegments: method<SegmentComparison>()(
    z
      .object({
        segmentIds: z.array(segmentId).min(2, 'pick at least two segments').max(5, 'compare at most five segments'),
        goalEvent: z.string().min(1, 'pick a goal event').max(200),
        asOf: epochMs.optional(),
        windowDays: z.number().int().min(1).max(365).optional(),
        weeks: z.number().int().min(1).max(26).optional(),
      })
      .strict(),
  ),
  listSegments: method<SavedSegment[]>()(noArgs),
  getSegment: method<SavedSegment>()(z.object({ id: segmentId }).strict()),
  /**
   * Creates (no id, or an id not in use: Undo after a delete) or updates a segment; a rule referring to
   * itself in a cycle is refused.
   */
  saveSegment: method<SavedSegment>()(
    z
      .object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'ids are letters, digits, _ and -').optional(),
        name: z.string().min(1, 'give the segment a name').max(200),
        description: z.string().max(2000).optional(),
        rule: z.unknown(),
      })
      .strict(),
  ),
  duplicateSegment: method<SavedSegment>()(z.object({ id: segmentId }).strict()),
  /**
   * What would break if the segment went: segments referring to it, and workshop personas linked to it
   * (`linked`: deleting unlinks them, they keep the rule) or whose rules refer to it (messages join later).
   */
  segmentUsage: method<{
    segments: SavedSegment[];
    personas: { workshopId: string; workshopTitle: string; personaId: string; personaName: string; linked: boolean }[];
  }>()(z.object({ id: segmentId }).strict()),
  deleteSegment: method<{ deleted: boolean }>()(z.object({ id: segmentId }).strict()),
} as const;

export type SegmentHandlers = HandlersFor<typeof segmentMethods>;
