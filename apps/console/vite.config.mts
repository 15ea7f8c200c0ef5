import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The console is a static single-page app, built into dist/console and served by the gateway under
 * /console. Everything it needs is bundled: no CDN, no external font.
 */
export default defineConfig({
  root,
  base: '/console/',
  // The pure libraries the page verifies with, by file (their index files also export Node-only parts).
  resolve: {
    alias: [
      { find: /^@custody\/(transparency-log|policy-core|sign-grant|chain-core|crypto-kit|mpc-core)$/, replacement: `${repo}libs/$1/src/index.ts` },
      { find: /^@custody\/(transparency-log|policy-core|sign-grant|chain-core|crypto-kit|mpc-core)\/(.+)$/, replacement: `${repo}libs/$1/src/$2.ts` },
    ],
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: `${repo}dist/console`, emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0, chunkSizeWarningLimit: 1024 },
  logLevel: 'warn',
});
