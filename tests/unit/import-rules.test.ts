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

  describe('inside the renderer', () => {
    const src = 'src/renderer/src';

    it('the kit (ui/) imports no screen, no shell and no store, and keeps the renderer rules', async () => {
      for (const specifier of ['../screens/data', '../screens/messages/store', '../shell/App', '../store', '../../../main/api']) {
        expect(await restrictedImports(`${src}/ui/x.tsx`, use(specifier)), specifier).toHaveLength(1);
      }
      expect((await restrictedImports(`${src}/ui/x.tsx`, use('../screens/data')))[0]).toMatch(/ui\/ and lib\/ serve every screen/);
      for (const specifier of ['../lib/api', './toast', '../../../shared/types', 'react']) {
        expect(await restrictedImports(`${src}/ui/x.tsx`, use(specifier)), specifier).toEqual([]);
      }
    });

    it('lib/ imports neither the kit nor anything above it; the global store imports no screen or shell', async () => {
      for (const specifier of ['../screens/data', '../shell/App', '../store', '../ui/toast']) {
        expect(await restrictedImports(`${src}/lib/x.ts`, use(specifier)), specifier).toHaveLength(1);
      }
      expect(await restrictedImports(`${src}/lib/x.ts`, use('./format'))).toEqual([]);
      expect(await restrictedImports(`${src}/store.ts`, use('./screens/data'))).toHaveLength(1);
      expect(await restrictedImports(`${src}/store.ts`, use('./shell/App'))).toHaveLength(1);
      expect(await restrictedImports(`${src}/store.ts`, use('./lib/api'))).toEqual([]);
    });

    it('an area never imports the shell, and another area only through its index', async () => {
      const file = `${src}/screens/messages/x.tsx`;
      for (const specifier of ['../../shell/App', '../segments/model', '../segments/store', '../segments/index', '../../screens/data/store', '../../../../main/api']) {
        expect(await restrictedImports(file, use(specifier)), specifier).toHaveLength(1);
      }
      expect((await restrictedImports(file, use('../segments/store')))[0]).toMatch(/only through what that area's index\.ts exports/);
      expect((await restrictedImports(file, use('../../shell/App')))[0]).toMatch(/never imports the shell/);
      for (const specifier of ['../segments', '../data', './model', '../../ui/DataTable', '../../store', '../../lib/api', '../../../../shared/segments/rule']) {
        expect(await restrictedImports(file, use(specifier)), specifier).toEqual([]);
      }
      // A file in a folder of its area: its own area's files are fine, another's are not.
      const nested = `${src}/screens/workshops/sheets/x.tsx`;
      expect(await restrictedImports(nested, use('../../segments/store'))).toHaveLength(1);
      expect(await restrictedImports(nested, use('../../segments'))).toEqual([]);
      expect(await restrictedImports(nested, use('../doc'))).toEqual([]);
    });

    it('the shell reaches an area through its index', async () => {
      expect(await restrictedImports(`${src}/shell/x.tsx`, use('../screens/data/store'))).toHaveLength(1);
      expect(await restrictedImports(`${src}/shell/x.tsx`, use('../screens/data'))).toEqual([]);
      expect(await restrictedImports(`${src}/shell/x.tsx`, use('../../../main/api'))).toHaveLength(1);
    });
  });
});
