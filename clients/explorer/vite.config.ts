import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the gateway under /explorer/ (gateway/src/edge/explorer.ts); every asset is bundled,
// Monaco's workers included, so the page needs no host but the gateway.
export default defineConfig({
  base: '/explorer/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 8_000 },
});
