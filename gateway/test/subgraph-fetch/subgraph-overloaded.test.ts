import { DEFAULT_LOAD_SHEDDING } from '@ecom/platform/load-shedding';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';

const LISTING = operation('web/CategoryListing');

type Node = { id: string; title: string; slug: string; shop: unknown; priceRange: unknown; availability: unknown; badges: unknown };
type Listing = { products: { totalCount: number; edges: { node: Node }[] } };

const POOL_SIZE = 2;
let graph: Graph;
let pricing: RecordingProxy;
let healthy: Listing;
/** Pricing fetches in one listing's query plan, counted on a healthy listing. */
let fetchesPerListing: number;

const graphqlRequests = () => pricing.requests.filter((r) => r.url.startsWith('/graphql')).length;

beforeAll(async () => {
  // Pricing sheds for its database pool as in production. Not for event-loop lag: here one process
  // hosts the whole graph, so the loop's lag is the gateway's and every subgraph's (the platform's
  // load-shedding test covers lag on its own).
  const loadShedding = { ...DEFAULT_LOAD_SHEDDING, eventLoopLagMs: 0, mutationEventLoopLagMs: 0 };
  graph = await startGraph({ config: { pricing: { loadShedding, databasePoolSize: POOL_SIZE } } });
  pricing = await startRecordingProxy(() => graph.subgraphUrls.pricing);
  graph.gatewayUrls.pricing = pricing.url;
  // Enough good fetches that the shed ones below stay under the breaker's error share.
  for (let i = 0; i < 6; i++) {
    const before = graphqlRequests();
    const res = await graph.request<Listing>(LISTING, { first: 48 });
    expect(res.body.errors).toBeUndefined();
    healthy = res.body.data!;
    fetchesPerListing = graphqlRequests() - before;
  }
  expect(fetchesPerListing).toBeGreaterThan(0);
});
afterAll(async () => {
  await graph?.stop();
  await pricing?.stop();
});

/** Holds pricing's database pool with open transactions until the returned release is called. */
async function saturatePricingPool(): Promise<() => Promise<void>> {
  const { dbHandle } = graph.subgraphs.pricing;
  const connections = dbHandle.kind === 'postgres' ? POOL_SIZE : 1;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const held = Array.from({ length: connections * (1 + DEFAULT_LOAD_SHEDDING.dbWaitingPerConnection) + 1 }, () =>
    dbHandle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await gate;
    }),
  );
  // Until the queue has stood long enough to count as saturation rather than a burst.
  await new Promise((r) => setTimeout(r, DEFAULT_LOAD_SHEDDING.dbStandingMs + 50));
  return async () => {
    open();
    await Promise.all(held);
  };
}

describe('pricing shedding load', () => {
  it('answers the listing with everything else intact and one SERVICE_UNAVAILABLE naming pricing; nothing is retried', async () => {
    const release = await saturatePricingPool();
    const listings = 3;
    const before = graphqlRequests();
    try {
      for (let i = 0; i < listings; i++) {
        const started = performance.now();
        const res = await graph.request<Listing>(LISTING, { first: 48 });
        // Refused at once: without shedding this fetch would wait for the held pool (30 s in tests).
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(res.status).toBe(200);
        const data = res.body.data!;
        expect(data.products.totalCount).toBe(healthy.products.totalCount);
        expect(data.products.edges).toHaveLength(48);
        data.products.edges.forEach(({ node }, n) => {
          const was = healthy.products.edges[n]!.node;
          expect({ ...node, priceRange: undefined }).toEqual({ ...was, priceRange: undefined });
          // The last-known price marked stale below, never a wrong live one.
          expect(node.priceRange).toEqual(was.priceRange);
        });
        const errors = res.body.errors ?? [];
        expect(errors).toHaveLength(1);
        expect(errors[0]!.path).toEqual(['products', 'edges', 0, 'node', 'priceRange']);
        expect(errors[0]!.extensions).toMatchObject({
          code: 'SERVICE_UNAVAILABLE',
          service: 'pricing',
          retryable: true,
          overloaded: true,
          affectedCount: 48,
          stale: true,
        });
        expect(errors[0]!.extensions!.circuit).toBeUndefined();
      }
      // One request per fetch reached pricing: the 503 was not retried.
      expect(graphqlRequests() - before).toBe(listings * fetchesPerListing);
    } finally {
      await release();
    }
    const res = await graph.request<Listing>(LISTING, { first: 48 });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual(healthy);
  });
});
