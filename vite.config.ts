/**
 * Builds the renderer (renderer/ → dist/renderer) and configures vitest for the whole repo.
 * The page is loaded from files in Electron and from the browser host, so asset URLs are relative.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
/** `PROMPTROOM_DEV_HOST=http://127.0.0.1:PORT npx vite` proxies calls to a running browser host. */
const devHost = process.env.PROMPTROOM_DEV_HOST;

/**
 * The dev server's React refresh preamble is an inline script and HMR needs a websocket; the
 * built page keeps the strict policy from index.html untouched.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'promptroom:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wss:");
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), relaxCspForDevServer()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // The CSP allows no inline script, and small images inlined as data: URLs gain nothing here.
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    strictPort: false,
    ...(devHost && {
      proxy: {
        '/api': { target: devHost, changeOrigin: true },
        '/asset': { target: devHost, changeOrigin: true },
      },
    }),
  },
  test: {
    root: repoRoot,
    include: ['tests/**/*.test.ts'],
    globals: true,
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
