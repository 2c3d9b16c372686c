import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from './support/graph.ts';
import { operation } from './support/operations.ts';

/**
 * The listing's SQL does not grow with its page: every subgraph it reaches answers a 12-product and a
 * 96-product page with the same statements (one batch per loader), pinned per subgraph so an N+1
 * that creeps into a loader or resolver fails here by name.
 */
const LISTING = operation('web/CategoryListing');
const HYDRATING = ['product', 'pricing', 'inventory', 'marketing'] as const;
type Hydrating = (typeof HYDRATING)[number];

const statements: Record<Hydrating, string[]> = { product: [], pricing: [], inventory: [], marketing: [] };
const HOUR = 3_600_000;
let graph: Graph;
beforeAll(async () => {
  graph = await startGraph({
    config: Object.fromEntries(HYDRATING.map((name) => [name, { onStatement: (sql: string) => statements[name].push(sql) }])),
    // Background work would add its own statements to the counts: none runs during the test.
    settings: { inventory: { reservationSweepIntervalMs: HOUR, idempotencySweepIntervalMs: HOUR, outboxRelayIntervalMs: HOUR } },
  });
});
afterAll(() => graph?.stop());

async function countsFor(first: number): Promise<Record<Hydrating, number>> {
  for (const name of HYDRATING) statements[name].length = 0;
  const res = await graph.request<{ products: { edges: unknown[] } }>(LISTING, { first, sort: 'NEWEST' });
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.products.edges).toHaveLength(first);
  return Object.fromEntries(HYDRATING.map((name) => [name, statements[name].length])) as Record<Hydrating, number>;
}

describe('statements per subgraph for one listing', () => {
  it('are the same for 12 and for 96 products, and as few as the loaders make them', async () => {
    const twelve = await countsFor(12);
    const ninetySix = await countsFor(96);
    expect(ninetySix).toEqual(twelve);
    // product: the page, its total and the page's shops; pricing: the price ranges of the page;
    // inventory: its stock levels; marketing: the live promotions and the page's badges. A change
    // here is a change in the listing's SQL shape: make it on purpose, and pin the new counts.
    expect(ninetySix).toEqual({ product: 3, pricing: 1, inventory: 1, marketing: 2 });
  });
});
