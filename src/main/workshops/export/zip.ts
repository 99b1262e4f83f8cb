/**
 * A small zip writer for the CSV export's single archive: deflated entries (zlib), UTF-8 names, one
 * central directory, no zip64 (an export is a few hundred KB; past 4 GB or 65,535 entries it refuses).
 * No dependency: the format's part we need is three fixed-size records.
 * Layout per APPNOTE.TXT (PKWARE): local header + data per entry, then the central directory, then its end.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  content: string | Buffer;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const VERSION = 20; // 2.0: deflate
// "Made by" Unix: readers such as Info-ZIP's unzip then take names as given, not as DOS code page 437.
const MADE_BY_UNIX = (3 << 8) | VERSION;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const STORE = 0;
const MAX_32 = 0xffffffff;

/** MS-DOS date and time, as zip stores them: local fields, two-second resolution, from 1980. */
function dosDateTime(at: Date): { date: number; time: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
  };
}

interface EntryFields {
  method: number;
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  nameLength: number;
}

/** The run of fields the local header and the central directory entry share, from "version needed" on. */
function writeEntryFields(target: Buffer, at: number, f: EntryFields): void {
  target.writeUInt16LE(VERSION, at);
  target.writeUInt16LE(UTF8_NAMES, at + 2);
  target.writeUInt16LE(f.method, at + 4);
  target.writeUInt16LE(f.time, at + 6);
  target.writeUInt16LE(f.date, at + 8);
  target.writeUInt32LE(f.crc, at + 10);
  target.writeUInt32LE(f.compressed, at + 14);
  target.writeUInt32LE(f.size, at + 18);
  target.writeUInt16LE(f.nameLength, at + 22);
}

/** The zip file's bytes for `entries`, each dated `modified` (UTC, as the app's times are). */
export function zipFiles(entries: readonly ZipEntry[], modified: Date = new Date()): Buffer {
  if (entries.length > 0xffff) throw new Error(`A zip without zip64 holds at most 65,535 files, not ${entries.length}.`);
  const { date, time } = dosDateTime(modified);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.split('/').includes('..')) {
      throw new Error(`"${entry.name}" is not a safe name for a file in a zip.`);
    }
    if (seen.has(entry.name)) throw new Error(`"${entry.name}" is in the zip twice.`);
    seen.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const raw = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
    const deflated = deflateRawSync(raw);
    // Deflate can grow incompressible data; then the entry is stored as is.
    const method = deflated.length < raw.length ? DEFLATE : STORE;
    const data = method === DEFLATE ? deflated : raw;
    if (raw.length > MAX_32 || offset > MAX_32) throw new Error('The zip would pass 4 GB, which needs zip64.');
    const crc = crc32(raw);

    const fields = { method, time, date, crc, compressed: data.length, size: raw.length, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    writeEntryFields(local, 4, fields);
    // Extra field length: zero.

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    writeEntryFields(central, 6, fields);
    // Extra field, comment, disk number, internal attributes: zero. External: a regular file, rw-r--r--.
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  if (offset > MAX_32) throw new Error('The zip would pass 4 GB, which needs zip64.');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
