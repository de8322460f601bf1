// The browser benchmarks' page (not part of the web client): built on its own, to a directory
// outside the client's dist, so that nothing of the benchmark ships with the real pages. It
// imports the client's own modules (the tablet's ballot worker, the observer's VerifierClient)
// so that what is timed is exactly the code the pages run.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    target: 'es2022',
    sourcemap: false,
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
});
