import { randomUUID } from 'node:crypto';
import { createCache, type Cache } from '@ecom/platform/cache';
import { testEnv } from '@ecom/platform/env';
import { noFaults, type FaultInjection } from '@ecom/platform/fault-injection';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';

const { redisUrl } = testEnv();
const PAGE = 96;
const prefix = `test:stale:${randomUUID()}:`;
const pricingFaults: FaultInjection = noFaults();

/** The gateway's own cache (Redis when the run has one), with every key it writes noted. */
function noting(cache: Cache, written: Set<string>): Cache {
  return {
    kind: cache.kind,
    get: (key) => cache.get(key),
    getMany: (keys) => cache.getMany(keys),
    set: (key, value, ttlMs) => (written.add(key), cache.set(key, value, ttlMs)),
    setMany: (entries, ttlMs) => (entries.forEach((e) => written.add(e.key)), cache.setMany(entries, ttlMs)),
    del: (key) => cache.del(key),
    close: () => cache.close(),
  };
}

/** The listing's price range, every name in it aliased with `tag`: as a client picking fresh aliases would. */
const aliasedListing = (tag: string) => `query Listing${tag}($first: Int!) {
  products(first: $first) { edges { node { id
    price_${tag}: priceRange { low_${tag}: min { amount currency } high_${tag}: max { cents_${tag}: amount currency } }
  } } }
}`;
type Node = { id: string } & Record<string, unknown>;
type Listing = { products: { edges: { node: Node }[] } };

const written = new Set<string>();
const staleKeys = () => [...written].filter((k) => k.startsWith('stale:'));
let cache: Cache;
let graph: Graph;
beforeAll(async () => {
  cache = createCache(redisUrl, undefined, prefix);
  graph = await startGraph({ config: { pricing: { faults: pricingFaults } }, gateway: { cache: noting(cache, written) } });
});
afterAll(async () => {
  await graph?.stop();
  await cache?.close();
});

async function listing(tag: string) {
  const res = await graph.request<Listing>(aliasedListing(tag), { first: PAGE });
  expect(res.status).toBe(200);
  return res.body;
}

/** The price ranges of a page as values, whatever aliases they were asked under. */
function prices(body: { data?: Listing | null }, tag: string) {
  return body.data!.products.edges.map(({ node }) => {
    const range = node[`price_${tag}`] as Record<string, Record<string, unknown>> | null;
    if (!range) return null;
    return { min: range[`low_${tag}`], max: { amount: range[`high_${tag}`]![`cents_${tag}`], currency: range[`high_${tag}`]!.currency } };
  });
}

describe('last-known values', () => {
  let healthy: ReturnType<typeof prices>;

  // 251 listings of 96 products: minutes, not seconds, on a loaded two-core machine.
  it('are kept once per field, selection and product, whatever aliases clients choose', async () => {
    const first = await listing('a0');
    expect(first.errors).toBeUndefined();
    healthy = prices(first, 'a0');
    expect(healthy.every((p) => p !== null)).toBe(true);
    // Writes are fire and forget: wait for the first page's values to land.
    for (const end = Date.now() + 10_000; staleKeys().length < PAGE && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    const perPage = staleKeys().length;
    expect(perPage).toBe(PAGE);

    for (let round = 0; round < 50; round++) {
      const bodies = await Promise.all(Array.from({ length: 5 }, (_, i) => listing(`r${round}x${i}`)));
      for (const body of bodies) expect(body.errors).toBeUndefined();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(staleKeys().length).toBe(perPage);

    if (redisUrl) {
      const redis = new Redis(redisUrl);
      try {
        const stored = await redis.keys(`${prefix}stale:*`);
        expect(stored).toHaveLength(perPage);
        for (const key of stored.slice(0, 5)) expect(await redis.pttl(key)).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
    }
  }, 300_000);

  it('stand in under aliases never seen before when pricing fails', async () => {
    pricingFaults.mode = 'error';
    try {
      const body = await listing('fresh');
      expect(prices(body, 'fresh')).toEqual(healthy);
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', stale: true });
    } finally {
      Object.assign(pricingFaults, noFaults());
    }
  });
});
