import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '@ecom/platform/http-host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_ALLOWED_HEADERS } from '../../src/edge/cors.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { extraGateway, post, type ExtraGateway } from './support.ts';

const CATEGORIES = operation('web/Categories');
const LISTING = operation('web/CategoryListing');

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
});

/** A tiny HTTP server standing in for a subgraph, answering as `answer` says. */
async function stubServer(
  answer: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => answer(req, res, body?.toString('utf8') ?? ''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('a subgraph failing unexpectedly never leaks its internals', () => {
  const SQL = 'duplicate key value violates unique constraint "products_pkey" DETAIL: SELECT * FROM product.products WHERE id = $1';
  const STACK = [
    'Error: boom',
    '    at Object.<anonymous> (/srv/app/src/db/catalog.ts:42:11)',
    '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ];
  const LEAKS = [
    /duplicate key/i,
    /products_pkey/,
    /SELECT \*/,
    /catalog\.ts/,
    /\/srv\/app/,
    /processTicksAndRejections/,
    /stacktrace/i,
    /boom/,
    /ECONNRESET|ECONNREFUSED|socket hang up/i,
  ];

  const answers: [string, (res: ServerResponse) => void][] = [
    [
      'a GraphQL error with SQL and a stack',
      (res) => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            data: null,
            errors: [{ message: SQL, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: STACK, exception: { stacktrace: STACK } } }],
          }),
        );
      },
    ],
    [
      'a GraphQL error with no code at all',
      (res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: null, errors: [{ message: `${SQL}\n${STACK.join('\n')}` }] }));
      },
    ],
    [
      'a 500 with a text body',
      (res) => {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        res.end(`${SQL}\n${STACK.join('\n')}`);
      },
    ],
    [
      'a 200 that is not JSON',
      (res) => {
        res.setHeader('content-type', 'application/json');
        res.end(`<html>${SQL} ${STACK.join(' ')}</html>`);
      },
    ],
    ['a dropped connection', (res) => res.socket?.destroy()],
  ];

  it.each(answers)('%s (root field and entity fields)', async (_name, answer) => {
    const stub = await stubServer((_req, res) => answer(res));
    const gateway = await extraGateway(graph, { subgraphUrls: { ...graph.gatewayUrls, product: stub.url } });
    const entityGateway = await extraGateway(graph, { subgraphUrls: { ...graph.gatewayUrls, pricing: stub.url } });
    try {
      for (const [url, query, variables] of [
        [gateway.url, CATEGORIES, {}],
        [entityGateway.url, LISTING, { first: 3 }],
      ] as const) {
        const res = await post(url, { query, variables });
        for (const leak of LEAKS) expect(res.text).not.toMatch(leak);
        expect(res.text).not.toContain(String(stub.port));
        expect(res.body.errors?.length).toBeGreaterThan(0);
        for (const error of res.body.errors!) {
          expect(['INTERNAL', 'SERVICE_UNAVAILABLE', 'TIMEOUT']).toContain(error.extensions?.code);
          expect(typeof error.extensions?.retryable).toBe('boolean');
          if (error.extensions?.code === 'INTERNAL') expect(error.extensions.requestId).toBe(res.headers.get('x-request-id'));
        }
      }
    } finally {
      await gateway.stop();
      await entityGateway.stop();
      await stub.close();
    }
  });
});

describe('CORS', () => {
  let gateway: ExtraGateway;
  let open: ExtraGateway;
  beforeAll(async () => {
    gateway = await extraGateway(graph, { corsOrigins: ['https://shop.example', 'https://admin.example'] });
    open = await extraGateway(graph, { corsOrigins: ['*'] });
  });
  afterAll(async () => {
    await gateway?.stop();
    await open?.stop();
  });

  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization, apollographql-client-name',
      },
    });

  it('answers a preflight from an allowed origin with the methods and headers clients use', async () => {
    const res = await preflight(gateway.url, 'https://shop.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = res.headers
      .get('access-control-allow-headers')!
      .split(',')
      .map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(CORS_ALLOWED_HEADERS));
    expect(allowed).toEqual(
      expect.arrayContaining(['content-type', 'authorization', 'apollographql-client-name', 'apollographql-client-version', 'x-request-id']),
    );
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives an origin that is not allowed no CORS headers, so the browser blocks it', async () => {
    const res = await preflight(gateway.url, 'https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toBeNull();
    const call = await post(gateway.url, { query: CATEGORIES }, { origin: 'https://evil.example' });
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks responses to allowed origins, exposing the request id and Retry-After', async () => {
    const res = await post(gateway.url, { query: CATEGORIES }, { origin: 'https://admin.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
  });

  it('allows any origin with `*`, and none by default', async () => {
    expect((await preflight(open.url, 'https://anywhere.example')).headers.get('access-control-allow-origin')).toBe('*');
    const closed = await preflight(graph.url, 'https://shop.example');
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('graceful shutdown', () => {
  it('lets a request in flight when stop() is called finish, and takes no new ones', async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    // A slow product subgraph: the request is in flight for about a second.
    const slow = await stubServer(async (req, res, body) => {
      arrived();
      await new Promise((r) => setTimeout(r, 1_000));
      const upstream = await fetch(graph.subgraphUrls.product, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(
            (e): e is [string, string] => typeof e[1] === 'string' && !['host', 'content-length', 'connection'].includes(e[0]),
          ),
        ),
        body,
      });
      res.setHeader('content-type', 'application/json');
      res.end(await upstream.text());
    });
    const gateway = await extraGateway(graph, {
      subgraphUrls: { ...graph.gatewayUrls, product: slow.url },
      resilience: { queryDeadlineMs: 10_000, subgraphTimeoutMs: 10_000 },
    });
    try {
      const inFlight = post(gateway.url, { query: CATEGORIES });
      await arrival;
      const stopping = gateway.stop();
      await new Promise((r) => setTimeout(r, 100));
      await expect(
        fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: CATEGORIES }) }),
      ).rejects.toThrow();

      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect((res.body.data as { categories: unknown[] }).categories.length).toBeGreaterThanOrEqual(6);
      await stopping;
    } finally {
      await slow.close();
    }
  });
});
