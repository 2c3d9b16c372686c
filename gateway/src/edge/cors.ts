import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a browser client may send: the contract's client identity, auth and request id headers. */
export const CORS_ALLOWED_HEADERS = ['content-type', 'authorization', 'apollographql-client-name', 'apollographql-client-version', 'x-request-id'];
/** What a browser client may read: the request id to quote, and how long to back off. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser clients on other origins (`CORS_ORIGINS`: a list, or `*`). Answers preflight
 * `OPTIONS` itself (true: nothing more to do) and marks every other response for allowed origins.
 * Tokens travel in the Authorization header, never cookies, so credentials are not allowed.
 */
export function createCors(origins: string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    res.setHeader('vary', 'Origin');
    const ok = origin !== undefined && (any || allowed.has(origin));
    if (ok) {
      res.setHeader('access-control-allow-origin', any ? '*' : origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
    }
    if (req.method !== 'OPTIONS') return false;
    // A preflight from an origin not allowed gets no CORS headers: the browser then blocks the call.
    if (ok) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS.join(', '));
      res.setHeader('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    res.statusCode = 204;
    res.end();
    return true;
  };
}
