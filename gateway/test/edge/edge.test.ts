import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/edge/auth.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';

const LISTING = operation('web/CategoryListing');
const DETAIL = operation('web/ProductDetail');

let graph: Graph;
let productProxy: RecordingProxy;
beforeAll(async () => {
  graph = await startGraph();
  productProxy = await startRecordingProxy(() => graph.subgraphUrls.product);
  graph.gatewayUrls.product = productProxy.url;
});
afterAll(async () => {
  await graph?.stop();
  await productProxy?.stop();
});

const readyz = () => fetch(graph.url.replace(/\/graphql$/, '/readyz'));

describe('x-request-id', () => {
  it('is taken from the request, echoed, and carried to the subgraphs', async () => {
    const requestId = `test-req.${Date.now()}_1`;
    const res = await graph.request(LISTING, { first: 3 }, { headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const seen = productProxy.requests.filter((r) => r.headers['x-request-id'] === requestId);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.headers['x-signature']).toBeTruthy();
  });

  it('is made when missing or unsafe, and the made one is forwarded', async () => {
    for (const given of [undefined, 'has spaces and <script>', 'x'.repeat(129)]) {
      const res = await graph.request(LISTING, { first: 1 }, { headers: given === undefined ? {} : { 'x-request-id': given } });
      const echoed = res.headers.get('x-request-id');
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
      expect(productProxy.requests.some((r) => r.headers['x-request-id'] === echoed)).toBe(true);
    }
  });
});

describe('authentication', () => {
  const VIEWER = 'query { categories { id } }';

  it('serves anonymous requests', async () => {
    const res = await graph.request(VIEWER);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('carries a valid token to the subgraphs as signed identity headers only', async () => {
    const requestId = `auth-${Date.now()}`;
    const token = await graph.token('user-42', ['admin']);
    const res = await graph.request(DETAIL, { id: 'prod-002' }, { token, headers: { 'x-request-id': requestId, 'x-user-id': 'forged' } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const seen = productProxy.requests.find((r) => r.headers['x-request-id'] === requestId);
    expect(seen?.headers['x-user-id']).toBe('user-42');
    expect(seen?.headers['x-user-roles']).toBe('admin');
  });

  const key = () => new TextEncoder().encode(graph.jwtSecret);
  const cases: [string, () => Promise<string>][] = [
    ['garbage', async () => 'not-a-jwt'],
    ['signed with another secret', () => mintToken('another-secret-of-enough-length', 'user-1')],
    [
      'expired',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('user-1')
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(key()),
    ],
    ['without sub', () => new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key())],
    ['with roles that are not strings', () => new SignJWT({ roles: [1] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').sign(key())],
    ['unsigned (alg none)', async () => `${b64({ alg: 'none' })}.${b64({ sub: 'user-1' })}.`],
    [
      'signed with HS512',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('user-1')
          .sign(new TextEncoder().encode(graph.jwtSecret.padEnd(64, 'x'))),
    ],
  ];
  it.each(cases)('refuses a token %s with 401 UNAUTHENTICATED', async (_name, make) => {
    const res = await graph.request(VIEWER, {}, { token: await make() });
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const res = await graph.request(VIEWER, {}, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
    expect(res.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('errors', () => {
  it('answers an invalid query with INVALID_INPUT and no internals', async () => {
    const res = await graph.request('query { nope }');
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
    expect(JSON.stringify(res.body)).not.toContain('stacktrace');
  });

  it('answers an operation name the document does not have, or none among several, with INVALID_INPUT and 400', async () => {
    const document = 'query A { __typename } query B { __typename }';
    for (const operationName of ['C', undefined]) {
      const res = await fetch(graph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, operationName }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string; retryable: boolean } }[] };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
      expect(body.errors[0]!.message).toMatch(operationName ? /no operation named "C"/ : /more than one operation/);
    }
  });

  it('answers a body that is not JSON with INVALID_INPUT', async () => {
    const res = await fetch(graph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('INVALID_INPUT');
  });
});

describe('health and readiness', () => {
  it('is healthy and ready while everything runs', async () => {
    const health = await fetch(graph.url.replace(/\/graphql$/, '/healthz'));
    expect(health.status).toBe(200);
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', down: [] });
  });

  // Last: it stops a subgraph for good.
  it('is not ready, naming the subgraph, once a subgraph is stopped; still healthy', async () => {
    await graph.stopSubgraph('inventory');
    // The last probe's answer stands for up to a second (edge/readiness.ts).
    let ready = await readyz();
    for (const end = Date.now() + 10_000; ready.status !== 503 && Date.now() < end; ready = await readyz()) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', down: ['inventory'] });
    expect((await fetch(graph.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);

    // The listing still answers; the stock fields are null with one typed, retryable error.
    const res = await graph.request<{ products: { edges: { node: { title: string; availability: unknown } }[] } }>(LISTING, { first: 5 });
    expect(res.body.data!.products.edges).toHaveLength(5);
    expect(res.body.data!.products.edges.every((e) => e.node.title && e.node.availability === null)).toBe(true);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'inventory', retryable: true });
    const path = res.body.errors![0]!.path!;
    expect(path.slice(0, 2)).toEqual(['products', 'edges']);
    expect(path.at(-1)).toBe('availability');
  });
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
