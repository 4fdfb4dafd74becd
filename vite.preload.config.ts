import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Bundles the preload into one CommonJS file: a sandboxed preload can `require('electron')` and
 * nothing else, so the contract (and zod) are inlined. Output: `dist/preload/index.cjs`.
 */
export default defineConfig({
  // Nothing from the renderer's public/ or index.html belongs in the preload.
  publicDir: false,
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    target: 'es2022',
    lib: {
      entry: fileURLToPath(new URL('./electron/preload/index.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: 'index',
    },
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
