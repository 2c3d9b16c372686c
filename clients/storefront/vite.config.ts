import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// A static bundle: server/storefront-server.ts serves it and forwards /graphql (and, in
// development, /dev/token) to the gateway, so the browser talks to one origin.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
});
