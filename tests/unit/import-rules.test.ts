import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// One linter for the file: loading the flat config and typescript-eslint is the slow part.
const eslint = new ESLint({ cwd: process.cwd() });

/** The no-restricted-imports messages ESLint reports for `code` as if it lived at `filePath` (a file that need not exist). */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result, filePath).toBeDefined();
  const messages = result?.messages ?? [];
  // A fatal parse error would hide every rule: make sure the snippet was really linted.
  expect(messages.filter((m) => m.fatal), filePath).toEqual([]);
  return messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const use = (specifier: string): string => `import * as mod from '${specifier}';\nexport const used = mod;\n`;

describe('import directions (eslint.config.js)', () => {
  it('the test really lints: a config for a src file is found', async () => {
    expect(await eslint.isPathIgnored('src/shared/x.ts')).toBe(false);
    const config = (await eslint.calculateConfigForFile('src/shared/x.ts')) as { rules?: Record<string, unknown> };
    expect(config.rules?.['no-restricted-imports']).toBeDefined();
  });

  it('shared may not import main, electron, or Node-only modules', async () => {
    for (const specifier of ['../main/api', 'electron', 'node:fs', 'better-sqlite3', '../renderer/src/store', '../preload/index']) {
      const messages = await restrictedImports('src/shared/x.ts', use(specifier));
      expect(messages, specifier).toHaveLength(1);
    }
    expect((await restrictedImports('src/shared/x.ts', use('../main/api')))[0]).toMatch(/Imports flow one way/);
    expect((await restrictedImports('src/shared/x.ts', use('electron')))[0]).toMatch(/Only src\/main\/electron and src\/preload/);
    expect((await restrictedImports('src/shared/x.ts', use('node:fs')))[0]).toMatch(/no Node-only modules/);
  });

  it('shared may import shared and zod', async () => {
    expect(await restrictedImports('src/shared/x.ts', use('./errors'))).toEqual([]);
    expect(await restrictedImports('src/shared/x.ts', use('zod'))).toEqual([]);
  });

  it('a type-only or re-export import is held to the same rule', async () => {
    const typeOnly = "import type { Backend } from '../main/api';\nexport type B = Backend;\n";
    expect(await restrictedImports('src/shared/x.ts', typeOnly)).toHaveLength(1);
    expect(await restrictedImports('src/shared/x.ts', "export { createBackend } from '../main/api';\n")).toHaveLength(1);
  });

  it('main (outside main/electron) may not import electron', async () => {
    expect(await restrictedImports('src/main/db/x.ts', use('electron'))).toHaveLength(1);
    expect(await restrictedImports('src/main/x.ts', use('electron/main'))).toHaveLength(1);
    expect(await restrictedImports('src/main/db/x.ts', use('../../renderer/src/store'))).toHaveLength(1);
  });

  it('main may import shared and Node modules', async () => {
    expect(await restrictedImports('src/main/db/x.ts', use('../../shared/errors'))).toEqual([]);
    expect(await restrictedImports('src/main/db/x.ts', use('node:fs'))).toEqual([]);
  });

  it('a domain of main reaches another only through its service module', async () => {
    const internals: [file: string, specifier: string][] = [
      ['src/main/segments/x.ts', '../messages/store'],
      ['src/main/demo/x.ts', '../messages/publish-body'],
      ['src/main/messages/x.ts', '../ingest/sync'],
      ['src/main/workshops/export/x.ts', '../../segments/compile'],
      ['src/main/data/x.ts', '../workshops/export'],
      ['src/main/ingest/x.ts', '../segments'],
    ];
    for (const [file, specifier] of internals) {
      const messages = await restrictedImports(file, use(specifier));
      expect(messages, `${file} → ${specifier}`).toHaveLength(1);
      expect(messages[0]).toMatch(/only through its service module/);
    }
    const typeOnly = "import type { MessageStore } from '../messages/store';\nexport type S = MessageStore;\n";
    expect(await restrictedImports('src/main/segments/x.ts', typeOnly)).toHaveLength(1);
  });

  it('a domain may import another\'s service, its own internals, shared infrastructure and shared', async () => {
    expect(await restrictedImports('src/main/messages/x.ts', use('../segments/service'))).toEqual([]);
    expect(await restrictedImports('src/main/workshops/export/x.ts', use('../../segments/service'))).toEqual([]);
    expect(await restrictedImports('src/main/messages/x.ts', use('./store'))).toEqual([]);
    expect(await restrictedImports('src/main/workshops/export/x.ts', use('../usage'))).toEqual([]);
    expect(await restrictedImports('src/main/ingest/x.ts', use('../db/kv'))).toEqual([]);
    expect(await restrictedImports('src/main/ingest/x.ts', use('../jobs/runner'))).toEqual([]);
    expect(await restrictedImports('src/main/segments/x.ts', use('../../shared/messages/model'))).toEqual([]);
    // The composition (api.ts, the CLI) puts the domains together: the rule is not theirs.
    expect(await restrictedImports('src/main/x.ts', use('./messages/store'))).toEqual([]);
    expect(await restrictedImports('src/main/cli/x.ts', use('../messages/secrets'))).toEqual([]);
  });

  it('a domain of main keeps main\'s own rules', async () => {
    expect(await restrictedImports('src/main/segments/x.ts', use('electron'))).toHaveLength(1);
    expect(await restrictedImports('src/main/messages/x.ts', use('../../renderer/src/store'))).toHaveLength(1);
  });

  it('main/electron may import electron', async () => {
    expect(await restrictedImports('src/main/electron/x.ts', use('electron'))).toEqual([]);
    expect(await restrictedImports('src/main/electron/x.ts', use('../../preload/index'))).toHaveLength(1);
  });

  it('the renderer may not import main, electron or Node modules, but may import shared', async () => {
    expect(await restrictedImports('src/renderer/src/x.ts', use('../../main/api'))).toHaveLength(1);
    expect(await restrictedImports('src/renderer/src/x.tsx', use('../../main/api'))).toHaveLength(1);
    expect(await restrictedImports('src/renderer/src/x.ts', use('electron'))).toHaveLength(1);
    expect(await restrictedImports('src/renderer/src/x.ts', use('node:path'))).toHaveLength(1);
    expect(await restrictedImports('src/renderer/src/x.ts', use('../../preload/index'))).toHaveLength(1);
    expect(await restrictedImports('src/renderer/src/x.ts', use('../../shared/contract'))).toEqual([]);
  });

  it('the preload may import electron and shared, but not main', async () => {
    expect(await restrictedImports('src/preload/x.ts', use('electron'))).toEqual([]);
    expect(await restrictedImports('src/preload/x.ts', use('../shared/contract'))).toEqual([]);
    expect(await restrictedImports('src/preload/x.ts', use('../main/api'))).toHaveLength(1);
  });

  it('the SDK may not import main or electron', async () => {
    expect(await restrictedImports('src/sdk/x.ts', use('../main/x'))).toHaveLength(1);
    expect(await restrictedImports('src/sdk/x.ts', use('electron'))).toHaveLength(1);
    expect(await restrictedImports('src/sdk/x.ts', use('../shared/errors'))).toEqual([]);
  });
});
