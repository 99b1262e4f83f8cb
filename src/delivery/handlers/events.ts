/**
 * The admin events export: the records received, in one global order (the engine's export position: on
 * PostgreSQL the same from every node, and commit-safe), a page at a time (the companion's sync reads it).
 */
import type { DeliveryEngine } from '../engine/types';
import { ERASE_MARKER_TYPE } from '../erasure';
import type { Handler } from '../pipeline/run';
import { describeIssues, exportQuerySchema } from '../schemas';
import type { RecordRow } from '../store';
import { invalid, iso } from './common';

export const MAX_EXPORT_PAGE = 1000;

/** One record of the export as JSON text, its stored properties spliced in without a parse. */
export function exportJson(row: RecordRow): string {
  const head = `{"type":${JSON.stringify(row.type)},"messageId":${JSON.stringify(row.record_id)},"userId":${JSON.stringify(row.user_id)}`;
  const timestamp = `"timestamp":"${iso(row.ts)}"`;
  // An erase marker: the erased id is in its data (its own user_id is '', so no profile reads it).
  if (row.type === ERASE_MARKER_TYPE) {
    const erased = (JSON.parse(row.data ?? '{}') as { userId?: unknown }).userId;
    return `{"type":"erase","messageId":${JSON.stringify(row.record_id)},"userId":${JSON.stringify(String(erased ?? ''))},${timestamp}}`;
  }
  if (row.type === 'identify') return `${head},"traits":${row.data ?? '{}'},${timestamp}}`;
  // A group call in the Segment spec's shape: the account's groupId and the traits this call set.
  if (row.type === 'group') return `${head},"groupId":${JSON.stringify(row.group_id ?? '')},"traits":${row.data ?? '{}'},${timestamp}}`;
  return `${head},"event":${JSON.stringify(row.name)},"properties":${row.data ?? '{}'},${timestamp}}`;
}

export function createEventsHandler(engine: Pick<DeliveryEngine, 'exportPage'>): Handler {
  return async (ctx) => {
    const query = exportQuerySchema.safeParse({
      after: ctx.query.get('after') ?? undefined,
      limit: ctx.query.get('limit') ?? undefined,
    });
    if (!query.success) return invalid('The query', describeIssues(query.error));
    const after = Number(query.data.after ?? '0');
    const limit = Math.min(query.data.limit ?? MAX_EXPORT_PAGE, MAX_EXPORT_PAGE);
    const rows = await engine.exportPage(after, limit + 1);
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const next = page.length > 0 ? String((page[page.length - 1] as RecordRow).seq) : String(after);
    return { status: 200, jsonText: `{"events":[${page.map(exportJson).join(',')}],"next":${JSON.stringify(next)},"hasMore":${hasMore}}` };
  };
}
