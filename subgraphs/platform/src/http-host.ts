import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { fault } from './errors.ts';
import type { Logger } from './logger.ts';
import { serveTraced } from './tracing.ts';

/** The request body cap, the gateway's and every subgraph's. */
export const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_DRAIN_GRACE_MS = 10_000;

/**
 * One HTTP host for the gateway and every subgraph: `/healthz`, `/readyz`, 404 for anything else,
 * `/graphql` handed to the owner, its answer written back (streamed or whole), a 500 fault when the
 * owner throws, and listen / drain / stop. What differs between the two (admission, signatures,
 * the Apollo server behind) stays with the owner.
 */
export interface HttpHostOptions {
  logger: Logger;
  /** Runs first on every request (request id, CORS); true when it has answered the request itself. */
  intercept?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Routes beyond health and GraphQL (the gateway's explorer); true when it answered the request. */
  routes?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** For `/readyz`: ready or not, and what else the answer should say. */
  readiness(): Promise<{ ready: boolean; detail?: Record<string, unknown> }>;
  /** `/graphql`: Apollo's answer to write back, or nothing when the owner answered already (a refusal). */
  graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<HTTPGraphQLResponse | void>;
  /** Idle keep-alive connections are kept this long (Node's default when omitted). */
  keepAliveTimeoutMs?: number;
  /** On stop, in-flight requests get this long before their connections are cut. */
  drainGraceMs?: number;
  /** The service each request's server span is filed under (tracing.ts; a no-op with tracing off). */
  service: string;
}

export interface HttpHost {
  /** Resolves with the port actually bound (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish (within the grace), then closes every connection. */
  stop(): Promise<void>;
}

export function createHttpHost(options: HttpHostOptions): HttpHost {
  // Once stopping, answers close their connection: a drained keep-alive socket would otherwise hold
  // stop() until the keep-alive timeout.
  let draining = false;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (options.intercept?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (options.routes && (await options.routes(req, res, url))) return;
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      const { ready, detail } = await options.readiness().catch(() => ({ ready: false, detail: undefined }));
      return send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', ...detail });
    }
    if (url.pathname !== '/graphql') return send(res, 404, { error: 'not found' });
    const result = await options.graphql(req, res, url);
    if (!result) return;
    res.statusCode = result.status ?? 200;
    if (draining) res.setHeader('connection', 'close');
    for (const [k, v] of result.headers) res.setHeader(k, v);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  const server: Server = createServer((req, res) => {
    // A body left unread (over the cap, or never wanted) is not drained: Node would read all of it
    // to keep the connection alive, so a client could make the host swallow gigabytes. Closed instead.
    res.on('finish', () => {
      if (!req.complete) req.socket.destroy();
    });
    serveTraced(options.service, req, res, () => handle(req, res)).catch((err: unknown) => {
      options.logger.error({ err }, 'request failed');
      // An unexpected crash may well pass: the client may retry, quoting the request id if it persists.
      if (!res.headersSent) sendFaults(res, 500, [fault('INTERNAL', undefined, { retryable: true })]);
      else res.end();
    });
  });
  if (options.keepAliveTimeoutMs !== undefined) {
    server.keepAliveTimeout = options.keepAliveTimeoutMs;
    server.headersTimeout = options.keepAliveTimeoutMs + 1_000;
  }
  let listening = false;

  return {
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      listening = true;
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      if (!listening) return;
      draining = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A client holding a busy keep-alive connection does not get to delay shutdown forever.
        setTimeout(() => server.closeAllConnections(), options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS).unref();
      });
      server.closeAllConnections();
    },
  };
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  // The connection is closed once this answer is written (createHttpHost): say so.
  if (res.req && !res.req.complete) res.setHeader('connection', 'close');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/** Top-level faults as a GraphQL response body: `{ errors: [...] }`, each built by errors.ts. */
export function sendFaults(res: ServerResponse, status: number, faults: { toJSON(): unknown }[]): void {
  send(res, status, { errors: faults.map((f) => f.toJSON()) });
}

/**
 * The whole body, or null when it is over `limitBytes`. A declared length over the cap is refused
 * before a byte is read; an undeclared one is counted as it arrives, and reading stops at the cap:
 * the host then answers and closes the connection (createHttpHost), so the rest is never read.
 */
export function readBody(req: Readable & Pick<IncomingMessage, 'headers'>, limitBytes = MAX_BODY_BYTES): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) return Promise.resolve(null);
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limitBytes) return void chunks.push(c);
      req.off('data', onData);
      req.pause();
      resolveBody(null);
    };
    req.on('data', onData);
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A POST's JSON body (undefined for GET or an empty body), or `invalid` when it is not JSON. */
export function parseJsonBody(method: string | undefined, body: Buffer): { value: unknown } | 'invalid' {
  if (method !== 'POST' || body.length === 0) return { value: undefined };
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch {
    return 'invalid';
  }
}

/** The request's headers as Apollo reads them (repeated headers joined). */
export function headerMapOf(req: Pick<IncomingMessage, 'headers'>): HeaderMap {
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  return headers;
}
