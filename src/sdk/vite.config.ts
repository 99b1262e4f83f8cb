/**
 * `npm run build:sdk`: the SDK in library mode, out/sdk/guidepost.js (a classic script: `var guidepost = …`,
 * so window.guidepost) and out/sdk/guidepost.mjs (an ES module), both minified and self-contained but
 * for the kinds chunk, built first by vite.kinds.config.ts: its content hash is written
 * into the core, which loads it from /sdk/<hash>/guidepost-kinds.js. Paths are relative to the package
 * root, where npm runs its scripts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const KINDS_FILE = 'out/sdk/guidepost-kinds.js';

/** The same version the delivery server computes from the file it serves (src/delivery/handlers/public.ts, kindsVersion). */
function builtKindsVersion(): string {
  try {
    return createHash('sha256').update(readFileSync(KINDS_FILE)).digest('hex').slice(0, 16);
  } catch {
    throw new Error(`${KINDS_FILE} is missing: build it first (npm run build:sdk builds both, the chunk first).`);
  }
}

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  define: { __GP_KINDS_VERSION__: JSON.stringify(builtKindsVersion()) },
  build: {
    outDir: 'out/sdk',
    // The kinds chunk built just before stays.
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    // Vite leaves an ES library's whitespace for downstream bundlers; this one is loaded as it is.
    rolldownOptions: { output: { minify: true, comments: false } },
    lib: {
      entry: 'src/sdk/index.ts',
      name: 'guidepost',
      formats: ['iife', 'es'],
      fileName: (format) => (format === 'es' ? 'guidepost.mjs' : 'guidepost.js'),
    },
  },
});
