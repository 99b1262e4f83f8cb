/**
 * `npm run build:sdk`: the SDK in library mode, out/sdk/guidepost.js (a classic script: `var guidepost = …`,
 * so window.guidepost) and out/sdk/guidepost.mjs (an ES module), both minified and self-contained.
 * Paths are relative to the package root, where npm runs its scripts.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'out/sdk',
    emptyOutDir: true,
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
