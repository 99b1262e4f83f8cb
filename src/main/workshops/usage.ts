/**
 * Step 3: the personas' rules run against the cache as of the workshop's asOf.
 */
import { ApiError } from '../../shared/errors';
import type { Workshop } from '../../shared/workshop/model';
import type { ThresholdSize, WorkshopUsage } from '../../shared/workshop/usage';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';

export function computeUsage(_db: Db, _segments: SegmentService, _workshop: Workshop, _asOf: number): WorkshopUsage {
  throw new ApiError('unavailable', 'Step 3 is being built.');
}

export function thresholdSize(
  _db: Db,
  _segments: SegmentService,
  _workshop: Workshop,
  _personaId: string,
  _threshold: number,
  _asOf: number,
): ThresholdSize {
  throw new ApiError('unavailable', 'Step 3 is being built.');
}
