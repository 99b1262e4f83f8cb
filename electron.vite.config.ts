import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for every Node-side entry: the Electron main process, the database worker,
// the `guidepost` CLI and the browser-mode server all come out of src/main into out/main.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/electron/main.ts'),
          'db-worker': resolve('src/main/worker/db-worker.ts'),
          'parse-worker': resolve('src/main/ingest/parse/parse-worker.ts'),
          cli: resolve('src/main/cli/index.ts'),
          web: resolve('src/main/web.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require nothing but 'electron': bundle zod and the contract into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    // Relative asset URLs: Electron loads index.html from disk (file://), the bridge serves it over http.
    base: './',
    // resources/ (the app icon) is copied beside index.html: the favicon, and the window's icon.
    publicDir: resolve('resources'),
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
