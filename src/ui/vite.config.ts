// Builds the dashboard (src/ui) into dist/ui, which the daemon serves under /ui/; nothing is loaded from the network.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [react()],
  // No public dir: every file the page loads comes out of the bundle with a content hash.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One entry, xterm included; a split would only add round trips on loopback.
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
    // xterm.js and React in one file (about 160 KB gzipped): the dashboard's budget is 250 KB.
    chunkSizeWarningLimit: 800,
  },
});
