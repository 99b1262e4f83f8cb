// Lint: the recommended TypeScript rules, plus the import directions of DESIGN.md section 3.
//   shared      imports nothing of ours (and nothing Node-only: it runs in the browser and the SDK too)
//   sdk         imports only shared
//   delivery    imports only shared
//   renderer    imports shared and the SDK's rendering module; never main, preload or delivery. Inside it:
//     ui/ (the kit) and lib/ import no screen, no shell and no store; store.ts imports no screen or shell;
//     screens/<area> import the shell never, and another area only through its index.ts;
//     shell/ imports an area only through its index.ts
//   preload     imports shared and 'electron'
//   main        imports shared and delivery; only main/electron may import 'electron'
//               a domain of main (data, demo, ingest, messages, segments, workshops) reaches another only
//               through its service module
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// A relative import naming one of those folders anywhere in its path ('../main/x', '../../src/main/x', './../main').
const naming = (folders) => `^\\.{1,2}/(.*/)?(${folders.join('|')})(/|$)`;
const ours = (...folders) => ({
  regex: naming(folders),
  message: `Imports flow one way (DESIGN.md section 3): this folder may not import from ${folders.join(', ')}.`,
});
const electron = { group: ['electron', 'electron/*'], message: "Only src/main/electron and src/preload import 'electron'." };
const nodeOnly = {
  regex: `^(node:|better-sqlite3$|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/|$))`,
  message: 'This code runs in the browser too: no Node-only modules.',
};
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

// The domains of src/main, each answering its part of the contract in <domain>/handlers.ts. One domain reaches
// another only through that domain's service module; db/ and jobs/ are infrastructure every domain shares, and
// api.ts, cli/, worker/, bridge/ and electron/ put the domains together.
const mainDomains = ['data', 'demo', 'ingest', 'messages', 'segments', 'workshops'];
const otherDomainsInternals = (domain) => ({
  regex: `^(\\.\\./)+(${mainDomains.filter((d) => d !== domain).join('|')})(/(?!service$)|$)`,
  message: `A domain of src/main reaches another only through its service module (../<domain>/service), never its internals.`,
});
const mainRules = [ours('renderer', 'preload', 'sdk'), electron];

// The renderer's rooms. Each block below repeats the renderer's own patterns: for a file that several
// blocks match, the last block's no-restricted-imports replaces the earlier ones.
const renderer = [ours('main', 'preload', 'delivery'), electron, nodeOnly];
const AREAS = ['data', 'segments', 'workshops', 'messages', 'settings'];
const kit = (...folders) => ({
  regex: naming(folders),
  message: `ui/ and lib/ serve every screen and take what they need as arguments: they import no ${folders.join(', ')}.`,
});
/** Another area's files, past its index.ts: '../segments/store', '../../screens/segments/model'. */
const otherAreas = (area) => ({
  regex: `^(\\.\\./)+(screens/)?(${AREAS.filter((a) => a !== area).join('|')})/`,
  message: "An area uses another only through what that area's index.ts exports ('../segments', not '../segments/store').",
});
const noShell = { regex: naming(['shell']), message: 'Only the shell imports the screens; a screen never imports the shell.' };
const areaInternals = {
  regex: '^(\\.\\./)+screens/[^/]+/',
  message: "The shell reaches an area through its index.ts ('../screens/data', not '../screens/data/store').",
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'native/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty-pattern': 'off',
    },
  },
  { files: ['src/shared/**'], rules: restrict([ours('main', 'renderer', 'preload', 'delivery', 'sdk'), electron, nodeOnly]) },
  { files: ['src/sdk/**'], rules: restrict([ours('main', 'renderer', 'preload', 'delivery'), electron, nodeOnly]) },
  // The SDK's build configs run in Node, at build time only.
  { files: ['src/sdk/vite*.config.ts'], rules: restrict([ours('main', 'renderer', 'preload', 'delivery'), electron]) },
  { files: ['src/delivery/**'], rules: restrict([ours('main', 'renderer', 'preload', 'sdk'), electron]) },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(renderer),
  },
  { files: ['src/renderer/src/ui/**'], rules: restrict([...renderer, kit('screens', 'shell', 'store')]) },
  { files: ['src/renderer/src/lib/**'], rules: restrict([...renderer, kit('screens', 'shell', 'store', 'ui')]) },
  { files: ['src/renderer/src/store.ts'], rules: restrict([...renderer, kit('screens', 'shell')]) },
  ...AREAS.map((area) => ({ files: [`src/renderer/src/screens/${area}/**`], rules: restrict([...renderer, noShell, otherAreas(area)]) })),
  { files: ['src/renderer/src/shell/**'], rules: restrict([...renderer, areaInternals]) },
  { files: ['src/preload/**'], rules: restrict([ours('main', 'renderer', 'delivery', 'sdk')]) },
  { files: ['src/main/**'], ignores: ['src/main/electron/**'], rules: restrict(mainRules) },
  ...mainDomains.map((domain) => ({ files: [`src/main/${domain}/**`], rules: restrict([...mainRules, otherDomainsInternals(domain)]) })),
  { files: ['src/main/electron/**'], rules: restrict([ours('renderer', 'preload', 'sdk')]) },
);
