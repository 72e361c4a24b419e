// Vite builds the app into dist/, which `frontline serve` serves at `/`: index.html plus
// content-hashed files under assets/ (cached for a year by the server).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // MapLibre alone is ~800 kB minified; one chunk is simplest to cache and serve.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running `frontline serve` on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080', '/tiles': 'http://127.0.0.1:8080' },
  },
});
