import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCache, type Cache } from '@ecom/platform/cache';
import { REPO_ROOT, testEnv } from '@ecom/platform/env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSafelist, type ManifestOperation } from '../../src/edge/safelist.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { ADDRESS, variantsInStock } from '../mutations/shopper.ts';
import { codeOf, extraGateway, post, type EdgeResponse, type ExtraGateway } from './support.ts';

const MANIFEST_PATH = resolve(REPO_ROOT, 'schema/operations/manifest.json');
const manifest = (JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { operations: ManifestOperation[] }).operations;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const registered = (name: string) => manifest.find((op) => op.name === name)!;
const CATEGORIES = registered('Categories');
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
});

describe('automatic persisted queries', () => {
  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, then runs it by hash once registered', async () => {
    const query = `query Apq${randomUUID().replace(/-/g, '')} { categories { id name } }`;
    const hash = sha256(query);
    const unknown = await post(graph.url, { extensions: persisted(hash) });
    expect(unknown.body.errors).toHaveLength(1);
    expect(unknown.body.errors![0]!.extensions).toMatchObject({ code: 'PERSISTED_QUERY_NOT_FOUND', retryable: false });

    const registering = await post(graph.url, { query, extensions: persisted(hash) });
    expect(registering.body.errors, registering.text).toBeUndefined();
    const byHash = await post(graph.url, { extensions: persisted(hash) });
    expect(byHash.body.errors, byHash.text).toBeUndefined();
    expect(byHash.body.data).toEqual(registering.body.data);

    const search = new URLSearchParams({ extensions: JSON.stringify(persisted(hash)) });
    const get = await fetch(`${graph.url}?${search.toString()}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await get.json()) as { data: unknown }).data).toEqual(registering.body.data);
  });

  it("refuses a hash that is not the text's, or a malformed extension, as INVALID_INPUT", async () => {
    const mismatched = await post(graph.url, { query: '{ categories { id } }', extensions: persisted(sha256('{ shops { id } }')) });
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
    const malformed = await post(graph.url, { query: '{ categories { id } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } } });
    expect(malformed.status).toBe(400);
    expect(codeOf(malformed)).toBe('INVALID_INPUT');
  });

  it('never registers a query that breaks a limit', async () => {
    const deep = `{ product(id: "prod-001") { ${'variants { product { '.repeat(8)}id${' } }'.repeat(8)} } }`;
    const refused = await post(graph.url, { query: deep, extensions: persisted(sha256(deep)) });
    expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    const byHash = await post(graph.url, { extensions: persisted(sha256(deep)) });
    expect(codeOf(byHash)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  describe('across gateway instances', () => {
    const { redisUrl } = testEnv();
    let a: ExtraGateway;
    let b: ExtraGateway;
    let caches: Cache[] = [];
    beforeAll(async () => {
      // One prefix for both, as two instances of one deployment share their Redis.
      const prefix = `test:apq:${randomUUID()}:`;
      caches = [createCache(redisUrl, undefined, prefix), createCache(redisUrl, undefined, prefix)];
      // Running instances: connected to their Redis (a cache still connecting answers misses).
      for (const cache of caches) {
        for (let i = 0; i < 50; i++) {
          await cache.set('warm', 'yes', 5_000);
          if ((await cache.get('warm')) === 'yes') break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      a = await extraGateway(graph, { cache: caches[0]! });
      b = await extraGateway(graph, { cache: caches[1]! });
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await Promise.all(caches.map((c) => c.close()));
    });

    it(redisUrl ? 'share registrations through Redis' : 'each keep their own registrations without Redis', async () => {
      const query = `query Shared${randomUUID().replace(/-/g, '')} { shops { id } }`;
      const registering = await post(a.url, { query, extensions: persisted(sha256(query)) });
      expect(registering.body.errors).toBeUndefined();
      const elsewhere = await post(b.url, { extensions: persisted(sha256(query)) });
      if (redisUrl) expect(elsewhere.body.data).toEqual(registering.body.data);
      else expect(codeOf(elsewhere)).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });
});

describe('safelist mode', () => {
  let safe: ExtraGateway;
  const exercised = new Set<string>();
  beforeAll(async () => {
    safe = await extraGateway(graph, { safelist: loadSafelist(MANIFEST_PATH) });
  });
  afterAll(async () => {
    await safe?.stop();
  });

  /** Sends a registered operation the way a mobile app does: its hash and variables, no text. */
  async function byHash<T = Record<string, unknown>>(name: string, variables: Record<string, unknown>, token?: string): Promise<T> {
    const op = registered(name);
    exercised.add(op.id);
    const headers: Record<string, string> = { 'apollographql-client-name': op.clientName ?? 'web' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await post<Record<string, T>>(safe.url, { variables, extensions: persisted(op.id) }, headers);
    expect(res.body.errors, `${name}: ${res.text}`).toBeUndefined();
    const value = Object.values(res.body.data!)[0]!;
    const typename = (value as { __typename?: string }).__typename;
    expect(typename === undefined || ['Cart', 'Order', 'StockLevel', 'AuditTrailPage'].includes(typename), `${name}: ${res.text}`).toBe(true);
    return value;
  }
  const key = () => ({ idempotencyKey: randomUUID() });
  type Cart = { id: string; version: number; lines: { id: string; variant: { id: string } }[] };
  type Order = { id: string; status: string };

  it('runs every registered operation by its hash alone: a whole shopper flow and the back office', async () => {
    const [v1, v2, v3] = await variantsInStock(graph, 10);
    const user = await graph.token(`safelist-${randomUUID().slice(0, 8)}`);
    const admin = await graph.token('safelist-admin', ['admin']);

    expect((await byHash<unknown[]>('Categories', {})).length).toBeGreaterThanOrEqual(6);
    const listing = await byHash<{ edges: { node: { id: string } }[] }>('CategoryListing', { first: 5 });
    expect(listing.edges).toHaveLength(5);
    expect((await byHash<{ edges: unknown[] }>('MobileListing', { first: 5 })).edges).toHaveLength(5);
    expect(await byHash('ProductDetail', { id: listing.edges[0]!.node.id })).toMatchObject({ id: listing.edges[0]!.node.id });

    const anonymous = await byHash<Cart>('AddToCart', { input: { variantId: v1, quantity: 1, ...key() } });
    await byHash<Cart>('MobileAddToCart', { input: { variantId: v2, quantity: 2, ...key() } }, user);
    let cart = await byHash<Cart>('MergeCart', { input: { anonymousCartId: anonymous.id, ...key() } }, user);
    expect(cart.lines).toHaveLength(2);
    const lineOf = (variantId: string) => cart.lines.find((l) => l.variant.id === variantId)!.id;
    cart = await byHash<Cart>(
      'UpdateCartLine',
      { input: { cartId: cart.id, lineId: lineOf(v2!), quantity: 1, expectedVersion: cart.version, ...key() } },
      user,
    );
    cart = await byHash<Cart>('ApplyCoupon', { input: { cartId: cart.id, code: 'WELCOME10', ...key() } }, user);
    cart = await byHash<Cart>('RemoveCartLine', { input: { cartId: cart.id, lineId: lineOf(v1!), expectedVersion: cart.version, ...key() } }, user);
    expect((await byHash<Cart>('Cart', { id: cart.id }, user)).lines).toHaveLength(1);

    const order = await byHash<Order>('PlaceOrder', { input: { cartId: cart.id, shippingAddress: ADDRESS, ...key() } }, user);
    expect((await byHash<Order>('PayOrder', { input: { orderId: order.id, paymentToken: 'tok_visa', ...key() } }, user)).status).toBe('PAID');
    expect((await byHash<Order>('CancelOrder', { input: { orderId: order.id, reason: 'changed my mind', ...key() } }, user)).status).toBe(
      'CANCELLED',
    );

    const mobileCart = await byHash<Cart>('MobileAddToCart', { input: { variantId: v3, quantity: 1, ...key() } }, user);
    const mobileOrder = await byHash<Order>('MobilePlaceOrder', { input: { cartId: mobileCart.id, shippingAddress: ADDRESS, ...key() } }, user);
    expect(await byHash('Order', { id: mobileOrder.id }, user)).toMatchObject({ id: mobileOrder.id, status: 'PENDING_PAYMENT' });
    expect((await byHash<{ edges: unknown[] }>('MyOrders', { first: 10 }, user)).edges).toHaveLength(2);

    expect(await byHash('AdjustStock', { input: { variantId: v1, delta: 1, reason: 'safelist test', ...key() } }, admin)).toMatchObject({
      variantId: v1,
    });

    const trail = await byHash<{ entries: { action: string }[] }>('AuditTrail', { filter: { actor: 'user:safelist-admin' }, first: 10 }, admin);
    expect(trail.entries.map((e) => e.action)).toContain('adjustStock');

    expect([...new Set(manifest.map((op) => op.id))].filter((id) => !exercised.has(id))).toEqual([]);
  });

  it('runs a registered body sent as text, also reformatted, and a registered hash whatever text comes with it', async () => {
    const asText = await post(safe.url, { query: CATEGORIES.body });
    expect(asText.body.errors).toBeUndefined();
    const reformatted = await post(safe.url, { query: CATEGORIES.body.replace(/\s+/g, '  ').replace('{', ', {') });
    expect(reformatted.body.data).toEqual(asText.body.data);
    const smuggled = await post(safe.url, { query: '{ __schema { types { name } } }', extensions: persisted(CATEGORIES.id) });
    expect(smuggled.body.data).toEqual(asText.body.data);
  });

  it('refuses anything else with OPERATION_NOT_REGISTERED before it is parsed', async () => {
    const expectNotRegistered = (res: EdgeResponse) => {
      expect(res.status, res.text).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_NOT_REGISTERED', retryable: false });
    };
    expectNotRegistered(await post(safe.url, { query: '{ categories { id } }' }));
    expectNotRegistered(await post(safe.url, { query: '{ __schema { types { name } } }' }));
    expectNotRegistered(await post(safe.url, { query: CATEGORIES.body.replace('name', 'id') }));
    expectNotRegistered(await post(safe.url, { extensions: persisted(sha256('{ categories { id } }')) }));
    expectNotRegistered(await post(safe.url, { query: 'this is not graphql {' }));
    const get = await fetch(`${safe.url}?${new URLSearchParams({ query: '{ shops { id } }' }).toString()}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
    expect(((await get.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('OPERATION_NOT_REGISTERED');
  });

  it('serves registered queries by hash over GET too', async () => {
    const listing = registered('CategoryListing');
    const search = new URLSearchParams({ variables: JSON.stringify({ first: 2 }), extensions: JSON.stringify(persisted(listing.id)) });
    const res = await fetch(`${safe.url}?${search.toString()}`, { headers: { 'apollo-require-preflight': 'true' } });
    const body = (await res.json()) as { data?: { products: { edges: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.products.edges).toHaveLength(2);
  });

  it('refuses to start on a missing manifest, or one whose ids are not the sha256 of their bodies', () => {
    expect(() => loadSafelist(resolve(REPO_ROOT, 'schema/operations/no-such-manifest.json'))).toThrow(/Cannot read the operation manifest/);
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const tampered = join(dir, 'manifest.json');
    const entry = { ...CATEGORIES, body: CATEGORIES.body.replace('name', 'id') };
    writeFileSync(tampered, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [entry] }));
    expect(() => loadSafelist(tampered)).toThrow(/Categories have an id that is not the sha256/);
    rmSync(dir, { recursive: true });
  });
});
