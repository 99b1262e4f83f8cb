/**
 * Workshops in the cache (the workshops table): create, autosave, duplicate, archive, delete, the
 * persona ↔ segment link, and the .guidepost bundle.
 */
import { ApiError } from '../../shared/errors';
import type { SavedSegment } from '../../shared/types';
import type { Workshop, WorkshopSummary } from '../../shared/workshop/model';
import type { TemplateId } from '../../shared/workshop/templates';
import type { Db } from '../db/connection';
import type { SegmentService } from '../segments/service';

export interface CreateWorkshopInput {
  title: string;
  account?: string | undefined;
  date?: string | undefined;
  template: TemplateId;
  participants?: { name: string; role: string }[] | undefined;
}

const todo = (): never => {
  throw new ApiError('unavailable', 'Workshops are being built.');
};

export class WorkshopService {
  constructor(
    readonly db: Db,
    readonly clock: () => number,
    readonly segments: SegmentService,
  ) {}

  list(_includeArchived: boolean): WorkshopSummary[] {
    return todo();
  }
  get(_id: string): Workshop {
    return todo();
  }
  create(_input: CreateWorkshopInput): Workshop {
    return todo();
  }
  save(_document: unknown): Workshop {
    return todo();
  }
  duplicate(_id: string): Workshop {
    return todo();
  }
  setArchived(_id: string, _archived: boolean): Workshop {
    return todo();
  }
  delete(_id: string): { deleted: boolean } {
    return todo();
  }
  savePersonaSegment(_id: string, _personaId: string): { workshop: Workshop; segment: SavedSegment } {
    return todo();
  }
  /** The bundle's exact bytes (UTF-8 JSON): the same workshop always gives the same bytes. */
  bundle(_id: string): string {
    return todo();
  }
  importBundle(_path: string): Workshop {
    return todo();
  }
}
