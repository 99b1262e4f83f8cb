import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../src/main/workshops/export/zip';

const dir = mkdtempSync(join(tmpdir(), 'guidepost-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the zip and runs Info-ZIP's unzip on it: a reader we did not write. */
function unzip(zip: Buffer, args: string[]): { stdout: Buffer; status: number | null; text: string } {
  const file = join(dir, `t-${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(file, zip);
  // A UTF-8 locale, or unzip shows UTF-8 names in its own escapes.
  const run = spawnSync('unzip', [...args.slice(0, 1), file, ...args.slice(1)], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (run.error) throw new Error(`unzip is missing: apt-get install -y unzip (${run.error.message})`);
  return { stdout: run.stdout, status: run.status, text: run.stdout.toString('utf8') + run.stderr.toString('utf8') };
}

describe('zipFiles', () => {
  const text = 'Name,Role\r\n"Ana Müller",PM\r\n'.repeat(50);
  const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 251));

  it('writes a zip that unzip verifies, with UTF-8 names, compressible and incompressible entries, and an empty one', () => {
    const zip = zipFiles(
      [
        { name: '00-participants.csv', content: text },
        { name: 'Zürich €.csv', content: 'x' },
        { name: 'noise.bin', content: noise },
        { name: 'empty.csv', content: '' },
      ],
      new Date(Date.UTC(2026, 11, 7, 14, 30, 10)),
    );
    const test = unzip(zip, ['-t']);
    expect(test.status, test.text).toBe(0);
    expect(test.text).toContain('No errors detected');
    expect(unzip(zip, ['-Z1']).text.trim().split('\n')).toEqual(['00-participants.csv', 'Zürich €.csv', 'noise.bin', 'empty.csv']);
    expect(unzip(zip, ['-p', '00-participants.csv']).stdout.toString('utf8')).toBe(text);
    expect(unzip(zip, ['-p', 'noise.bin']).stdout.equals(noise)).toBe(true);
    expect(unzip(zip, ['-p', 'empty.csv']).stdout.length).toBe(0);
    // Deflated: fifty copies of a line take far less than fifty lines.
    expect(zip.length).toBeLessThan(text.length);
    // The date and time are the ones given (zip keeps two-second steps).
    expect(unzip(zip, ['-ZT']).text).toContain('20261207.143010');
  });

  it('writes an empty archive that unzip accepts', () => {
    const empty = unzip(zipFiles([]), ['-Z1']);
    expect(empty.text).toContain('Empty zipfile');
  });

  it('refuses unsafe and repeated names, naming them', () => {
    expect(() => zipFiles([{ name: '../evil.csv', content: '' }])).toThrow('"../evil.csv" is not a safe name');
    expect(() => zipFiles([{ name: '/etc/passwd', content: '' }])).toThrow('"/etc/passwd" is not a safe name');
    expect(() => zipFiles([{ name: 'a.csv', content: '' }, { name: 'a.csv', content: '' }])).toThrow('"a.csv" is in the zip twice');
  });
});
