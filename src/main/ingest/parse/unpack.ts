/**
 * The writer's side of a packed batch (parser-protocol.ts): the parser's numbers (shapes, users, event
 * names) resolved to the writer's, giving the rows it writes. The same for a batch made on a parser
 * thread and for one made inline, so every batch reaches the writer one way (RecordWriter.writeRows).
 */
import type { ShapeTable } from '../../db/property-keys';
import { asBufferPieces, ROW_ANONYMOUS, type PreparedBatch, type ResolvedRows } from '../records';
import { USER_DICTIONARY_LIMIT, type PackedBatch } from './parser-protocol';

/** What the parser's dictionary entries resolve to: the writer's users and event names. */
export interface RecordResolver {
  userPk(userId: string): number;
  nameId(name: string): number;
  /** The id (its user_pk given by userPk) was a record's userId (not only an anonymousId or a previousId): a known user's id. */
  knownId(userId: string, pk: number): void;
}

/** Resolves the batches of one parser (one BatchBuilder), in the order it made them. */
export class BatchUnpacker {
  /** The parser's shape numbers → the writer's. */
  private readonly shapeIds: number[] = [0];
  /**
   * The parser's dictionaries: user and name numbers → what the writer knows them by. One array for
   * the users whatever the number of times the parser's dictionary starts over: a new array each time,
   * grown by doubling, left large garbage in the writer's heap for files of many users.
   */
  private readonly userPks = new Int32Array(USER_DICTIONARY_LIMIT);
  /**
   * The ids not yet told known, and whether each was a record's userId yet (told to the resolver once).
   * An id told known is let go at once: most are told in the batch that brought them, and kept until
   * the parser's dictionary started over, tens of thousands of ids lived long enough to fill the
   * writer's old generation in a file of many users (docs/PERFORMANCE.md, "Where the memory goes").
   */
  private readonly userIds: string[] = [];
  private readonly userKnown = new Uint8Array(USER_DICTIONARY_LIMIT);
  private userCount = 0;
  private readonly nameIds: number[] = [];

  /** A batch's rows, resolved in place: the writer's shape numbers, user_pk and name_id. */
  unpack(packed: PackedBatch, shapes: ShapeTable, resolver: RecordResolver): PreparedBatch {
    for (const [id, entries] of packed.newShapes) this.shapeIds[id] = shapes.add(entries);
    if (packed.usersRestarted) this.userCount = 0;
    if (this.userCount + packed.newUsers.length > this.userPks.length) throw new Error('A parser numbered more users than its dictionary holds.');
    for (const userId of packed.newUsers) {
      this.userIds[this.userCount] = userId;
      this.userKnown[this.userCount] = 0;
      this.userPks[this.userCount++] = resolver.userPk(userId);
    }
    for (const name of packed.newNames) {
      this.nameIds.push(resolver.nameId(name));
    }
    const { keys, ts, shapes: shapeColumn, users, linked, flags, names, texts, lines } = packed;
    asBufferPieces(texts);
    const known = this.userKnown;
    for (let i = 0; i < keys.length; i++) {
      shapeColumn[i] = this.shapeIds[shapeColumn[i] as number] as number;
      const user = users[i] as number;
      // An accounts row has no user (-1), and keeps none.
      if (user < 0) {
        names[i] = this.nameIds[names[i] as number] as number;
        continue;
      }
      if (known[user] === 0 && ((flags[i] as number) & ROW_ANONYMOUS) === 0) {
        known[user] = 1;
        resolver.knownId(this.userIds[user] as string, this.userPks[user] as number);
        this.userIds[user] = '';
      }
      users[i] = this.userPks[user] as number;
      const link = linked[i] as number;
      if (link >= 0) linked[i] = this.userPks[link] as number;
      names[i] = this.nameIds[names[i] as number] as number;
    }
    const rows: ResolvedRows = {
      count: keys.length,
      keys,
      ts,
      shapes: shapeColumn,
      userPks: users,
      nameIds: names,
      texts,
      lines,
      linkedPks: linked,
      flags,
      ...(packed.groupIds ? { groupIds: packed.groupIds } : {}),
      ...(packed.replaceable ? { replaceable: packed.replaceable } : {}),
    };
    return {
      rows,
      rejects: packed.rejects,
      count: packed.count,
      bytes: packed.bytes,
      zoneless: packed.zoneless,
      ...(packed.envelopes ? { envelopes: packed.envelopes } : {}),
    };
  }
}
