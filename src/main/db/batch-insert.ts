import type { Db } from './connection';

/**
 * Inserts rows many at a time: one prepared multi-row INSERT binds `rowsPerStatement` rows per
 * call, which cuts the per-call overhead that dominates single-row inserts from JavaScript.
 * Call flush() before the transaction commits.
 */
export class BatchInserter {
  private readonly columnCount: number;
  private readonly buffer: unknown[] = [];
  private readonly full: ReturnType<Db['prepare']>;
  private readonly single: ReturnType<Db['prepare']>;
  private rows = 0;

  constructor(
    db: Db,
    private readonly head: string,
    columns: readonly string[],
    private readonly rowsPerStatement = 64,
    private readonly tail = '',
  ) {
    this.columnCount = columns.length;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql = (n: number): string => `${head} (${columns.join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')} ${tail}`;
    this.full = db.prepare(sql(rowsPerStatement));
    this.single = db.prepare(sql(1));
  }

  add(...values: unknown[]): void {
    for (let i = 0; i < this.columnCount; i++) this.buffer.push(values[i]);
    this.rows += 1;
    if (this.rows === this.rowsPerStatement) {
      this.full.run(this.buffer);
      this.buffer.length = 0;
      this.rows = 0;
    }
  }

  /** Rows added but not yet written (they go in with the next full statement or flush()). */
  get pendingRows(): number {
    return this.rows;
  }

  /** A column's value in a pending row (0: the oldest pending row). */
  pendingValue(row: number, column: number): unknown {
    return this.buffer[row * this.columnCount + column];
  }

  flush(): void {
    for (let r = 0; r < this.rows; r++) {
      this.single.run(this.buffer.slice(r * this.columnCount, (r + 1) * this.columnCount));
    }
    this.buffer.length = 0;
    this.rows = 0;
  }
}
