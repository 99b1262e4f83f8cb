// Lint: the recommended TypeScript rules, plus the import directions of DESIGN.md section 3.
//   shared      imports nothing of ours (and nothing Node-only: it runs in the browser and the SDK too)
//   sdk         imports only shared
//   delivery    imports only shared
//   renderer    imports shared and the SDK's rendering module; never main, preload or delivery
//   preload     imports shared and 'electron'
//   main        imports shared and delivery; only main/electron may import 'electron'
//               a domain of main (data, demo, ingest, messages, segments, workshops) reaches another only
//               through its service module
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// A relative import naming one of those folders anywhere in its path ('../main/x', '../../src/main/x', './../main').
const ours = (...folders) => ({
  regex: `^\\.{1,2}/(.*/)?(${folders.join('|')})(/|$)`,
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
  { files: ['src/delivery/**'], rules: restrict([ours('main', 'renderer', 'preload', 'sdk'), electron]) },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([ours('main', 'preload', 'delivery'), electron, nodeOnly]),
  },
  { files: ['src/preload/**'], rules: restrict([ours('main', 'renderer', 'delivery', 'sdk')]) },
  { files: ['src/main/**'], ignores: ['src/main/electron/**'], rules: restrict(mainRules) },
  ...mainDomains.map((domain) => ({ files: [`src/main/${domain}/**`], rules: restrict([...mainRules, otherDomainsInternals(domain)]) })),
  { files: ['src/main/electron/**'], rules: restrict([ours('renderer', 'preload', 'sdk')]) },
);
