/**
 * The kinds chunk, built before the core (`npm run build:sdk` runs this config, then vite.config.ts):
 * out/sdk/guidepost-kinds.js, a classic script defining window.guidepostKinds (kinds-entry.ts: kinds.ts for a core of its contract). Its import of
 * './render' is not bundled: it reads the core's renderer from the global `guidepostCore`, which the
 * core's loader sets before it adds the script (index.ts, loadKinds), so the frame, the modal's content
 * and the stylesheet ship once.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const RENDER = resolve('src/sdk/render.ts');

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'out/sdk',
    // This build runs first: it starts out/sdk afresh, and the core's build adds its files beside it.
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      external: (id, importer) => id === RENDER || (importer !== undefined && /[\\/]src[\\/]sdk[\\/]/.test(importer) && /^\.\/render(\.ts)?$/.test(id)),
      output: { minify: true, comments: false, globals: (id) => (id === RENDER || /render(\.ts)?$/.test(id) ? 'guidepostCore' : id) },
    },
    lib: {
      entry: 'src/sdk/kinds-entry.ts',
      name: 'guidepostKinds',
      formats: ['iife'],
      fileName: () => 'guidepost-kinds.js',
    },
  },
});
