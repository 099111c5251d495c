/**
 * The console's build (`npm run build` → dist-admin/, served by the API server at /admin) and its
 * dev server (`npm run dev`: hot reload at http://127.0.0.1:5173/admin/, /v1 proxied to the API).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.BACKFILL_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist-admin', import.meta.url)),
    emptyOutDir: true,
    // Every script is a file (the server's Content-Security-Policy allows no inline script).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      // The API checks a write's Origin against its own: the proxy presents the API's origin.
      '/v1': {
        target: api,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (request) => {
            if (request.getHeader('origin')) request.setHeader('origin', api);
          });
        },
      },
      '/openapi.json': { target: api, changeOrigin: true },
    },
  },
});
