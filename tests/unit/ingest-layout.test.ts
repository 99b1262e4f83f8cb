/**
 * src/main/ingest is stages around one types module (issue 15, item 9): parse/ turns a file into
 * prepared records, write/ stores them, records.ts holds what they share. These tests walk the
 * folder's imports, type-only ones included, so a cycle or a stage reaching into the other fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../src/main/ingest');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm;

/** The files of src/main/ingest that `file` imports, as paths relative to that folder. */
function ingestImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] as string;
    if (!specifier.startsWith('.')) continue;
    const target = `${resolve(dirname(file), specifier)}.ts`;
    if (target.startsWith(`${root}/`)) found.push(relative(root, target));
  }
  return found;
}

const graph = new Map(sourceFiles(root).map((file) => [relative(root, file), ingestImports(file)]));

/** Every cycle's path, found by a depth-first walk. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...stack.slice(stack.indexOf(file)), file]);
      return;
    }
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('src/main/ingest layout', () => {
  it('walks real files', () => {
    expect(graph.has('records.ts')).toBe(true);
    expect(graph.get('parse/prepare.ts')).toContain('records.ts');
  });

  it('has no import cycle, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the shared record types free of every stage', () => {
    expect(graph.get('records.ts')).toEqual([]);
  });

  it('keeps the parse side and the write side apart', () => {
    const crossings = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => (file.startsWith('parse/') && target.startsWith('write/')) || (file.startsWith('write/') && target.startsWith('parse/')))
        .map((target) => `${file} → ${target}`),
    );
    expect(crossings).toEqual([]);
  });
});
