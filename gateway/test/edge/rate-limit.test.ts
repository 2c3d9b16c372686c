import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { REPO_ROOT, testEnv } from '@ecom/platform/env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitSettings } from '../../src/edge/rate-limit.ts';
import { createOperationRegistry, loadManifest } from '../../src/edge/safelist.ts';
import { ADDRESS } from '../mutations/shopper.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { extraGateway, post, type EdgeResponse, type ExtraGateway } from './support.ts';

const CATEGORIES = operation('web/Categories');
const { redisUrl } = testEnv();
const registeredOperations = createOperationRegistry(loadManifest(resolve(REPO_ROOT, 'schema/operations/manifest.json')));

let graph: Graph;
const gateways: ExtraGateway[] = [];
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await graph?.stop();
});

/** A gateway with its own counters (a fresh key prefix), on Redis when the run has one. */
async function limitedGateway(settings: Omit<RateLimitSettings, 'keyPrefix'>, extra: { redisUrl?: string; keyPrefix?: string } = {}) {
  const gateway = await extraGateway(graph, {
    rateLimit: { ...settings, keyPrefix: extra.keyPrefix ?? `test:rl:${randomUUID()}` },
    registeredOperations,
    redisUrl: 'redisUrl' in extra ? extra.redisUrl : redisUrl,
  });
  gateways.push(gateway);
  return gateway;
}

async function ask(gateway: ExtraGateway, who: { token?: string; client?: string } = {}, query = CATEGORIES): Promise<EdgeResponse> {
  const headers: Record<string, string> = {};
  if (who.token) headers.authorization = `Bearer ${who.token}`;
  if (who.client) headers['apollographql-client-name'] = who.client;
  return post(gateway.url, { query }, headers);
}

function expectServed(res: EdgeResponse) {
  expect(res.status, res.text).toBe(200);
  expect(res.body.errors).toBeUndefined();
}

function expectLimited(res: EdgeResponse, scope: string, windowMs: number): number {
  expect(res.status, res.text).toBe(429);
  expect(res.body.errors).toHaveLength(1);
  const extensions = res.body.errors![0]!.extensions!;
  expect(extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true, scope });
  const retryAfterMs = extensions.retryAfterMs as number;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(windowMs);
  expect(res.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
  return retryAfterMs;
}

const WINDOW_SECONDS = 4;

describe('per principal', () => {
  it('refuses a burst over the limit with a usable retry time; other users and anonymous callers are unaffected', async () => {
    const gateway = await limitedGateway({ points: 5, windowSeconds: WINDOW_SECONDS });
    const busy = await graph.token(`busy-${randomUUID().slice(0, 8)}`);
    const calm = await graph.token(`calm-${randomUUID().slice(0, 8)}`);

    for (let i = 0; i < 5; i++) expectServed(await ask(gateway, { token: busy }));
    const refused = await ask(gateway, { token: busy });
    const retryAfterMs = expectLimited(refused, 'principal', WINDOW_SECONDS * 1000);
    expect(refused.headers.get('x-request-id')).toBeTruthy();

    expectServed(await ask(gateway, { token: calm }));
    expectServed(await ask(gateway));
    expectLimited(await ask(gateway, { token: busy }), 'principal', WINDOW_SECONDS * 1000);

    await new Promise((r) => setTimeout(r, retryAfterMs + 50));
    expectServed(await ask(gateway, { token: busy }));
  });

  it('counts anonymous callers by client address, apart from signed-in users', async () => {
    const gateway = await limitedGateway({ points: 3, windowSeconds: WINDOW_SECONDS });
    for (let i = 0; i < 3; i++) expectServed(await ask(gateway));
    expectLimited(await ask(gateway), 'principal', WINDOW_SECONDS * 1000);
    expectServed(await ask(gateway, { token: await graph.token(`member-${randomUUID().slice(0, 8)}`) }));
  });
});

describe('per app (apollographql-client-name)', () => {
  it("caps all users of one app together when they run the app's registered operations; other apps keep their own budget", async () => {
    const gateway = await limitedGateway({ points: 100, windowSeconds: WINDOW_SECONDS, clients: { web: 6, ios: 6 } });
    const users = await Promise.all([1, 2, 3].map((i) => graph.token(`app-user-${i}-${randomUUID().slice(0, 8)}`)));
    const answers: EdgeResponse[] = [];
    for (let round = 0; round < 3; round++) for (const token of users) answers.push(await ask(gateway, { token, client: 'web' }));
    answers.slice(0, 6).forEach(expectServed);
    for (const res of answers.slice(6)) expectLimited(res, 'client', WINDOW_SECONDS * 1000);
    expect(answers[6]!.body.errors![0]!.message).toMatch(/app/);

    // ios has a budget too, but Categories is web's operation, not one ios ships: the name is a label.
    expectServed(await ask(gateway, { token: users[0], client: 'ios' }));
    expectServed(await ask(gateway, { token: users[0] }));
  });

  it("a caller naming itself web with ad-hoc queries does not spend web's budget", async () => {
    const gateway = await limitedGateway({ points: 100, windowSeconds: 60, clients: { web: 5 } });
    const abuser = await graph.token(`abuser-${randomUUID().slice(0, 8)}`);
    const shopper = await graph.token(`shopper-${randomUUID().slice(0, 8)}`);
    // Not registered, whatever the header says: each is limited per principal only.
    for (let i = 0; i < 20; i++) expectServed(await ask(gateway, { token: abuser, client: 'web' }, `query Scrape${i} { categories { id name } }`));
    for (let i = 0; i < 5; i++) expectServed(await ask(gateway, { token: shopper, client: 'web' }));
    expectLimited(await ask(gateway, { token: shopper, client: 'web' }), 'client', 60_000);
    // The abuser's own budget still applies to everything it sends.
    expectServed(await ask(gateway, { token: abuser, client: 'web' }, '{ categories { id } }'));
  });
});

describe('placeOrder (a budget of its own)', () => {
  const PLACE_ORDER = operation('web/PlaceOrder');
  const placeOrder = (gateway: ExtraGateway, token: string) =>
    post(
      gateway.url,
      { query: PLACE_ORDER, variables: { input: { cartId: `cart_${randomUUID()}`, shippingAddress: ADDRESS, idempotencyKey: randomUUID() } } },
      { authorization: `Bearer ${token}` },
    );

  it("refuses a user's checkouts over RATE_LIMIT_CHECKOUT_POINTS while the rest of their traffic and other users' checkouts go on", async () => {
    const gateway = await limitedGateway({ points: 100, windowSeconds: 60, checkoutPoints: 2 });
    const looping = await graph.token(`looping-${randomUUID().slice(0, 8)}`);
    const other = await graph.token(`other-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 2; i++) {
      // Answered by order (no such cart): the attempt ran and counted.
      const res = await placeOrder(gateway, looping);
      expect(res.status, res.text).toBe(200);
      expect(res.body.data).toMatchObject({ placeOrder: { __typename: 'NotFoundError' } });
    }
    const refused = await placeOrder(gateway, looping);
    expectLimited(refused, 'checkout', 60_000);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors![0]!.message).toMatch(/checkout/);

    expectServed(await ask(gateway, { token: looping }));
    expect((await placeOrder(gateway, other)).body.data).toMatchObject({ placeOrder: { __typename: 'NotFoundError' } });
  });
});

describe('storage', () => {
  it('with Redis unreachable, counts in memory instead of refusing everyone', async () => {
    const gateway = await limitedGateway({ points: 3, windowSeconds: WINDOW_SECONDS }, { redisUrl: 'redis://127.0.0.1:1' });
    const token = await graph.token(`offline-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 3; i++) expectServed(await ask(gateway, { token }));
    expectLimited(await ask(gateway, { token }), 'principal', WINDOW_SECONDS * 1000);
    expectServed(await ask(gateway, { token: await graph.token(`offline-other-${randomUUID().slice(0, 8)}`) }));
  });

  it(redisUrl ? 'shares counters between gateway instances through Redis' : 'counts per instance without Redis', async () => {
    const keyPrefix = `test:rl:${randomUUID()}`;
    const [a, b] = [
      await limitedGateway({ points: 4, windowSeconds: WINDOW_SECONDS }, { keyPrefix }),
      await limitedGateway({ points: 4, windowSeconds: WINDOW_SECONDS }, { keyPrefix }),
    ];
    const token = await graph.token(`spread-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 2; i++) expectServed(await ask(a, { token }));
    for (let i = 0; i < 2; i++) expectServed(await ask(b, { token }));
    const fifth = await ask(b, { token });
    if (redisUrl) expectLimited(fifth, 'principal', WINDOW_SECONDS * 1000);
    else expectServed(fifth);
  });
});
