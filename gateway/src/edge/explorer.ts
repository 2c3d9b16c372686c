import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { readBody, send } from '@ecom/platform/http-host';
import sirv from 'sirv';
import { z } from 'zod';
import { mintToken } from './auth.ts';

export interface ExplorerOptions {
  /** The built explorer (`clients/explorer/dist`, written by `npm run build --workspace @ecom/explorer`). */
  distDir: string;
  /**
   * Development only: the HS256 secret behind `POST /dev/token`. Without it the route does not exist,
   * which is how production runs (env.ts never sets it there), even with the explorer turned on.
   */
  devTokenSecret?: string;
}

/** Answers the request (true) or leaves it to the gateway (false). */
export type ExplorerHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Where the explorer's bundle is served from (Vite's `base` in clients/explorer). */
export const EXPLORER_ASSETS = '/explorer/';
export const DEV_TOKEN_PATH = '/dev/token';

const DevTokenRequest = z.object({
  sub: z.string().regex(/^[\w.@-]{1,64}$/, 'a user id: letters, digits, . _ @ -, at most 64'),
  roles: z
    .array(z.string().regex(/^[a-z_]{1,32}$/, 'a role: lowercase letters and _'))
    .max(8)
    .default([]),
});
const DEV_TOKEN_TTL = '12h';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Explorer not built</title>
<p>The explorer is not built. Run <code>npm run build --workspace @ecom/explorer</code> (npm start does it).</p>`;

/**
 * The offline explorer: GraphiQL built at build time (no CDN), served to browsers at `GET /graphql`
 * in place of Apollo's landing page (which loads Sandbox from a CDN), its assets under /explorer/.
 * Queries still go to /graphql as JSON, through the whole edge (auth, limits, safelist).
 */
export function createExplorer(options: ExplorerOptions): ExplorerHandler {
  const indexPath = join(options.distDir, 'index.html');
  // Made on first use: sirv lists the folder once, and the bundle may be built after the gateway starts.
  let assets: ReturnType<typeof sirv> | undefined;

  return async (req, res, url) => {
    const method = req.method ?? 'GET';
    if (url.pathname === DEV_TOKEN_PATH && options.devTokenSecret !== undefined) {
      if (method !== 'POST') {
        sendAllow(res, 'POST');
        return true;
      }
      const parsed = DevTokenRequest.safeParse(parseJson(await readBody(req)));
      if (!parsed.success) {
        send(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
        return true;
      }
      const token = await mintToken(options.devTokenSecret, parsed.data.sub, parsed.data.roles, DEV_TOKEN_TTL);
      send(res, 200, { token, sub: parsed.data.sub, roles: parsed.data.roles, expiresIn: DEV_TOKEN_TTL });
      return true;
    }
    const wantsPage = url.pathname === '/graphql' && method === 'GET' && !url.search && acceptsHtml(req);
    if (!wantsPage && !url.pathname.startsWith(EXPLORER_ASSETS)) return false;
    if (!existsSync(indexPath)) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' }).end(NOT_BUILT);
      return true;
    }
    if (wantsPage) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).end(readFileSync(indexPath));
      return true;
    }
    req.url = url.pathname.slice(EXPLORER_ASSETS.length - 1) + url.search;
    // sirv streams the file, or calls next when there is none.
    assets ??= sirv(options.distDir, { dev: false, etag: true });
    assets(req, res, () => send(res, 404, { error: 'not found' }));
    return true;
  };
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function sendAllow(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  send(res, 405, { error: `use ${allow}` });
}

function parseJson(body: Buffer | null): unknown {
  if (body === null || body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
