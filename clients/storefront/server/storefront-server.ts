import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';

export interface StorefrontServerOptions {
  port: number;
  host?: string;
  /** e.g. http://localhost:4000: /graphql and /dev/token are forwarded there. */
  gatewayOrigin: string;
}

export interface RunningStorefront {
  url: string;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Serves the built bundle (dist/) and forwards the graph's paths to the gateway, so the browser
 * talks to one origin: no CORS to configure, and the page's only host is the storefront's own.
 * Used by `npm start` (serve.ts) and by the browser tests.
 */
export async function startStorefrontServer(options: StorefrontServerOptions): Promise<RunningStorefront> {
  const forward = { target: options.gatewayOrigin, changeOrigin: true };
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: 'dist' },
    preview: { port: options.port, host: options.host ?? 'localhost', strictPort: true, proxy: { '/graphql': forward, '/dev/token': forward } },
  });
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? 'localhost'}:${port}/`,
    close: () => server.close(),
  };
}
