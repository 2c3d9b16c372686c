import { randomUUID } from 'node:crypto';
import { DEAD_URL } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { ADDRESS, mutateOk, variantsInStock, type CartView, type OrderView, type Result } from '../mutations/shopper.ts';
import { captureLogs, type LogCapture } from './log-capture.ts';

const LISTING = operation('web/CategoryListing');
const CLIENT = { 'apollographql-client-name': 'web', 'apollographql-client-version': '2.1.0' };

let graph: Graph;
let logs: LogCapture;

beforeAll(async () => {
  logs = captureLogs();
  graph = await startGraph(logs.graphLoggers());
}, 600_000); // six subgraphs migrate and seed: slow on a loaded machine
afterAll(async () => {
  await graph?.stop();
});

const send = async (query: string, variables: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}) => {
  const requestId = randomUUID();
  const res = await graph.request(query, variables, { ...options, headers: { ...CLIENT, 'x-request-id': requestId, ...options.headers } });
  return { res, line: await logs.accessLine(requestId) };
};

describe('the access log: one line per client request', () => {
  it('a complete listing: ok, with operation, client, status, latency and cost', async () => {
    const { res, line } = await send(LISTING, { first: 3 });
    expect(res.body.errors).toBeUndefined();
    expect(line).toMatchObject({
      user: 'anonymous',
      client: 'web@2.1.0',
      operation: 'CategoryListing',
      operationType: 'query',
      result: 'ok',
      status: 200,
    });
    expect(line.latencyMs).toEqual(expect.any(Number));
    const cost = line.cost as { query?: number; subgraphFetches: number };
    expect(cost.query).toBeGreaterThan(0);
    // product, then pricing, inventory and marketing for the page's entities.
    expect(cost.subgraphFetches).toBeGreaterThanOrEqual(4);
  });

  it('a partial listing names the failed service and the result partial', async () => {
    const live = graph.gatewayUrls.marketing;
    graph.gatewayUrls.marketing = DEAD_URL;
    try {
      const { res, line } = await send(LISTING, { first: 3 });
      expect(res.body.data).toBeTruthy();
      expect(res.body.errors?.some((e) => e.extensions?.service === 'marketing')).toBe(true);
      expect(line).toMatchObject({ operation: 'CategoryListing', result: 'partial', failedServices: ['marketing'], status: 200 });
    } finally {
      graph.gatewayUrls.marketing = live;
    }
  });

  it('a request refused before Apollo carries its code (a bad token: UNAUTHENTICATED, 401)', async () => {
    const { res, line } = await send(LISTING, { first: 3 }, { token: 'not-a-jwt' });
    expect(res.status).toBe(401);
    expect(line).toMatchObject({ result: 'UNAUTHENTICATED', status: 401, user: 'anonymous' });
    expect(line.operation).toBeUndefined();
  });

  it('a request refused for its body carries its code (INVALID_INPUT)', async () => {
    const requestId = randomUUID();
    const res = await fetch(graph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await logs.accessLine(requestId)).toMatchObject({ result: 'INVALID_INPUT', status: 400 });
  });

  it('a signed-in request names its user', async () => {
    const token = await graph.token('user-log-1');
    const { line } = await send(operation('web/MyOrders'), { first: 1 }, { token });
    expect(line).toMatchObject({ user: 'user-log-1', operation: 'MyOrders', result: 'ok' });
  });
});

describe('nothing secret in any line', () => {
  it('a shopper with an anonymous cart, then a bearer token, to a placed order: no token and no cart id in any log', async () => {
    const [variant] = await variantsInStock(graph, 5);
    const anonymous = await mutateOk<CartView & Result>(graph, 'addToCart', { variantId: variant, quantity: 1 });
    const token = await graph.token('user-log-secrets');
    const cart = await mutateOk<CartView & Result>(graph, 'mergeCart', { anonymousCartId: anonymous.id }, token);
    await graph.request(operation('web/Cart'), { id: anonymous.id }, { token });
    const order = await mutateOk<OrderView & Result>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    expect(order.__typename).toBe('Order');
    // A refused token is logged too, and must not be either.
    const forged = `${token.slice(0, -4)}AAAA`;
    await graph.request(LISTING, { first: 1 }, { token: forged });

    const raw = logs.raw();
    // The flow was logged (access lines at the gateway, debug lines in the subgraphs) ...
    expect(logs.lines().filter((l) => l.log === 'access' && l.user === 'user-log-secrets').length).toBeGreaterThanOrEqual(3);
    expect(logs.lines().some((l) => l.msg === 'subgraph request' && l.service === 'cart')).toBe(true);
    // ... and nothing in it is a credential.
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(forged);
    expect(raw).not.toContain(token.split('.')[2]!);
    expect(raw).not.toContain(anonymous.id);
  });
});
