/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The web client is one page with hash routes (docs/PROTOCOL.md §9), served by pingyi-server
// from dist/. Workers are ES modules so that they can import libsodium.js themselves.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60000,
  },
});
