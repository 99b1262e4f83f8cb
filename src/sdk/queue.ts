/**
 * The offline queue: records waiting to reach the delivery server, kept in localStorage so they
 * survive reloads and being offline. Pure logic: the storage is a parameter (tests pass a Map).
 *
 * Every change reads the stored list first, so two tabs of the same site add to one queue instead
 * of overwriting each other. Both may then send the same record: its messageId is stable, and the
 * server stores a messageId once.
 */

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface QueuedRecord {
  type: string;
  messageId: string;
  /** The X-Guidepost-User-Hash of the user it was made for (sent as the header, never in the body). */
  userHash?: string;
  [field: string]: unknown;
}

/** Bounds: the newest records win; a full localStorage (about 5 MB per site) is never our doing. */
export const MAX_QUEUED = 250;
export const MAX_QUEUED_CHARS = 500_000;

export class RecordQueue {
  private memory: QueuedRecord[] = [];

  constructor(
    private readonly storage: StorageLike | null,
    private readonly key: string,
    private readonly maxItems = MAX_QUEUED,
    private readonly maxChars = MAX_QUEUED_CHARS,
  ) {}

  /** What is waiting, oldest first. */
  all(): QueuedRecord[] {
    try {
      const stored: unknown = JSON.parse(this.storage?.getItem(this.key) ?? 'null');
      if (Array.isArray(stored)) {
        this.memory = stored.filter((r): r is QueuedRecord => !!r && typeof r === 'object' && typeof r.messageId === 'string' && typeof r.type === 'string');
      }
    } catch {
      // Unreadable (storage disabled, or not our JSON): the copy in memory is what there is.
    }
    return this.memory;
  }

  push(record: QueuedRecord): void {
    const records = this.all();
    if (!records.some((r) => r.messageId === record.messageId)) records.push(record);
    this.save(records);
  }

  /** Removes the records with these messageIds (sent, or refused for good). */
  remove(ids: Iterable<string>): void {
    const gone = new Set(ids);
    this.save(this.all().filter((r) => !gone.has(r.messageId)));
  }

  private save(records: QueuedRecord[]): void {
    const kept = records.slice(-this.maxItems);
    const texts = kept.map((r) => JSON.stringify(r));
    let chars = texts.reduce((sum, t) => sum + t.length + 1, 1);
    let drop = 0;
    while (chars > this.maxChars && drop < kept.length) chars -= (texts[drop++] as string).length + 1;
    this.memory = kept.slice(drop);
    try {
      this.storage?.setItem(this.key, `[${texts.slice(drop).join(',')}]`);
    } catch {
      // Quota or privacy mode: keep going in memory.
    }
  }
}

/**
 * The wait before retry number `attempt` (1, 2, …): exponential from 1 s, capped at 5 minutes, with
 * "equal jitter" (half fixed, half random) so that many clients coming back online do not retry in step.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** UTF-8 bytes of a string (what a request body costs against fetch's keepalive budget). */
export function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: two units, four bytes
      i += 1;
    } else if (c >= 0x80) bytes += c >= 0x800 ? 2 : 1;
  }
  return bytes;
}

/**
 * The next request: an identify or group record first and alone (to /v1/identify or /v1/group), so
 * traits and account membership reach the server before anything is decided; otherwise the other
 * records of the oldest one's user and userHash together (to /v1/track), oldest first, at most
 * `maxItems` and `maxBytes` of body: one request, one user hash. Moving one ahead changes nothing on
 * the server: every record carries its own timestamp. The first record always goes, even alone over
 * the budget (the server says whether it fits).
 */
export function nextBatch(records: readonly QueuedRecord[], maxItems: number, maxBytes: number): { alone: boolean; records: QueuedRecord[] } {
  const alone = records.find((r) => r.type === 'identify' || r.type === 'group');
  if (alone) return { alone: true, records: [alone] };
  const batch: QueuedRecord[] = [];
  let bytes = 12; // {"batch":[]}
  const first = records[0];
  for (const record of records) {
    if (record.userId !== first?.userId || record.userHash !== first?.userHash) continue;
    bytes += utf8Bytes(JSON.stringify(record)) + 1;
    if (batch.length >= maxItems || (batch.length > 0 && bytes > maxBytes)) break;
    batch.push(record);
  }
  return { alone: false, records: batch };
}
