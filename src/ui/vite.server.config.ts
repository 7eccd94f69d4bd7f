// Builds the dashboard's first page for the daemon to render (dist/ui-server/first-paint.js), React included, so the
// package needs no react-dom at run time; the daemon loads it only when it serves the dashboard.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  publicDir: false,
  ssr: { noExternal: true },
  // React's production build only (its development build is twice the size and checks every render).
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    ssr: 'first-paint.tsx',
    outDir: fileURLToPath(new URL('../../dist/ui-server', import.meta.url)),
    emptyOutDir: true,
    target: 'node20',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
