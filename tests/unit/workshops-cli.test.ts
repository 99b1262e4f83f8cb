import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli';
import { openCache } from '../../src/main/db/connection';
import { SegmentService } from '../../src/main/segments/service';
import { WorkshopService } from '../../src/main/workshops/service';
import { draftPersonaRule } from '../../src/shared/workshop/persona-rule';
import { useTempDir } from './helpers';

const tempDir = useTempDir();

const T0 = Date.UTC(2026, 4, 2, 9);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += `${t}\n`), stderr: (t) => (stderr += `${t}\n`) });
  return { code, stdout, stderr };
}

async function json<T>(args: string[]): Promise<T> {
  const run = await cli([...args, '--json']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A cache file with two workshops (one archived, one with a persona linked to a segment); answers their ids. */
function seed(file: string): { linked: string; archived: string } {
  const { db } = openCache(file);
  try {
    let now = T0;
    const clock = (): number => now;
    const workshops = new WorkshopService(db, clock, new SegmentService(db, clock));
    const archived = workshops.create({ title: 'Old session', template: 'segmentation' });
    workshops.setArchived(archived.id, true);
    now += 60_000;
    const w = workshops.create({ title: 'Acme · Personas', template: 'personas', participants: [{ name: 'Ana', role: 'PM' }] });
    const hypothesis = { actions: ['report_run'], threshold: 4, windowDays: 30, include: [], exclude: [] };
    workshops.save({
      ...w,
      personas: [
        { id: 'p_power', name: 'Power reporters', description: '', jobs: [], frequency: 'week', ...hypothesis, rule: draftPersonaRule(hypothesis), ruleEdited: false, segmentId: null },
      ],
    });
    workshops.savePersonaSegment(w.id, 'p_power');
    return { linked: w.id, archived: archived.id };
  } finally {
    db.close();
  }
}

describe('guidepost workshop', () => {
  it('lists workshops: id, title, template, updatedAt; archived ones with --archived', async () => {
    const dir = tempDir();
    const db = join(dir, 'cache.db');
    const ids = seed(db);
    const listed = await json<{ workshops: Record<string, unknown>[] }>(['workshop', 'list', '--db', db]);
    expect(listed).toEqual({ workshops: [{ id: ids.linked, title: 'Acme · Personas', template: 'personas', updatedAt: new Date(T0 + 60_000).toISOString() }] });
    const all = await json<{ workshops: { id: string }[] }>(['workshop', 'list', '--archived', '--db', db]);
    expect(all.workshops.map((w) => w.id)).toEqual([ids.linked, ids.archived]);
    const text = await cli(['workshop', 'list', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${ids.linked}  Acme · Personas  (personas, updated 2026-05-02T09:01:00.000Z)`);
    expect((await json<{ workshops: unknown[] }>(['workshop', 'list', '--db', join(dir, 'empty.db')])).workshops).toEqual([]);
  });

  it('exports a bundle, imports it into another cache, and exports the same bytes again', async () => {
    const dir = tempDir();
    const source = join(dir, 'source.db');
    const ids = seed(source);
    const out = join(dir, 'out');
    const exported = await json<{ files: string[] }>(['workshop', 'export', '--db', source, '--workshop', ids.linked, '--format', 'bundle', '--out', out]);
    expect(exported.files).toHaveLength(1);
    const [file] = exported.files as [string];
    expect(file.startsWith(join(out, '/'))).toBe(true);
    expect(file).toMatch(/\.guidepost$/);
    const bytes = readFileSync(file, 'utf8');
    expect(JSON.parse(bytes)).toMatchObject({ kind: 'guidepost-workshop', format: 1, workshop: { id: ids.linked } });

    const target = join(dir, 'target.db');
    expect(await json(['workshop', 'import', '--db', target, file])).toEqual({ id: ids.linked });
    const again = await json<{ files: string[] }>(['workshop', 'export', '--db', target, '--workshop', ids.linked, '--format', 'bundle', '--out', join(dir, 'again')]);
    expect(readFileSync(again.files[0] as string, 'utf8')).toBe(bytes);

    // A second import into the same cache: the id is taken, so it gets a new one.
    const second = await json<{ id: string }>(['workshop', 'import', '--db', target, file]);
    expect(second.id).not.toBe(ids.linked);
    expect((await json<{ workshops: unknown[] }>(['workshop', 'list', '--db', target])).workshops).toHaveLength(2);
  });

  it('fails with exit code 2 and {"error"} on bad input', async () => {
    const dir = tempDir();
    const db = join(dir, 'cache.db');
    const ids = seed(db);
    const error = async (args: string[]): Promise<string> => {
      const run = await cli([...args, '--json']);
      expect(run.code).toBe(2);
      const parsed = JSON.parse(run.stdout) as { error: string };
      expect(Object.keys(parsed)).toEqual(['error']);
      return parsed.error;
    };
    expect(await error(['workshop', 'export', '--db', db, '--workshop', 'nope', '--format', 'bundle', '--out', dir])).toBe('No workshop with id nope.');
    expect(await error(['workshop', 'export', '--db', db, '--workshop', ids.linked, '--format', 'docx', '--out', dir])).toMatch(/--format must be pdf, csv, md or bundle, not "docx"/);
    expect(await error(['workshop', 'export', '--db', db, '--format', 'bundle', '--out', dir])).toMatch(/--workshop <id>/);
    expect(await error(['workshop', 'export', '--db', db, '--workshop', ids.linked, '--format', 'bundle'])).toMatch(/--out <dir>/);
    const notBundle = join(dir, 'notes.guidepost');
    writeFileSync(notBundle, 'just some notes');
    expect(await error(['workshop', 'import', '--db', db, notBundle])).toMatch(/notes\.guidepost is not a Guidepost workshop bundle: it is not JSON/);
    expect(await error(['workshop', 'import', '--db', db])).toMatch(/name exactly one \.guidepost file/);
    expect(await error(['workshop', 'frobnicate', '--db', db])).toMatch(/workshop list.*workshop export.*workshop import/);
    // Nothing was imported by the failures.
    expect((await json<{ workshops: unknown[] }>(['workshop', 'list', '--archived', '--db', db])).workshops).toHaveLength(2);
    const text = await cli(['workshop', 'import', '--db', db, notBundle]);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^guidepost: notes\.guidepost is not a Guidepost workshop bundle/);
  });

  it('runs as a process: the exit code and stdout of `guidepost workshop`', () => {
    const dir = tempDir();
    const db = join(dir, 'cache.db');
    const ids = seed(db);
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/main/cli/index.ts', 'workshop', ...args, '--db', db, '--json'], {
        cwd: process.cwd(),
        encoding: 'utf8',
        env: { ...process.env, GUIDEPOST_DB: '' },
      });
    const listed = run(['list']);
    expect(listed.status, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { workshops: { id: string }[] }).workshops.map((w) => w.id)).toEqual([ids.linked]);
    const failed = run(['import', join(dir, 'missing.guidepost')]);
    expect(failed.status).toBe(2);
    expect(JSON.parse(failed.stdout)).toEqual({ error: expect.stringMatching(/missing\.guidepost: there is no such file/) as unknown });
  });
});
