import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProducts } from '@ecom/platform/demo-catalog';
import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { eventually, testEvents, waitForQueue, type TestEvents } from '@ecom/platform/events/testing';
import type { Db } from '@ecom/platform/db';
import * as productSchema from '@ecom/product/db/schema';
import { operation } from '../support/operations.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { ADDRESS, mutateOk, shopperWithCart, variantsInStock, type Result } from '../mutations/shopper.ts';

/**
 * Events end to end: orders placed and paid through the gateway reach the product subgraph through
 * the order's outbox (RabbitMQ when AMQP_URL is set, the local spool otherwise), and the
 * BEST_SELLING listing the client reads follows them.
 */

const LISTING = operation('web/CategoryListing');
let graph: Graph;
let events: TestEvents;

const productDb = () => graph.subgraphs.product.deps.db as unknown as Db<typeof productSchema>;

async function bestSelling(): Promise<string[]> {
  const res = await graph.request<{ products: { edges: { node: { id: string } }[] } }>(LISTING, { sort: 'BEST_SELLING', first: 100 });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.products.edges.map((e) => e.node.id);
}

async function unitsSold(): Promise<Map<string, number>> {
  const rows = await productDb().select({ id: productSchema.products.id, n: productSchema.products.unitsSold }).from(productSchema.products);
  return new Map(rows.map((r) => [r.id, r.n]));
}

beforeAll(async () => {
  events = testEvents();
  graph = await startGraph({
    config: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { events: events.config }])),
    settings: { order: { outboxRelayIntervalMs: 50 } },
  });
  await waitForQueue(events.config, 'product');
}, 1_500_000);

afterAll(async () => {
  await graph?.stop();
  await events?.cleanup(['product', 'cart', 'marketing'], ['order', 'stock']);
});

describe(`BEST_SELLING follows paid orders (${process.env['AMQP_URL'] ? 'RabbitMQ' : 'local spool'})`, () => {
  it('moves a product above its neighbour once enough of it is paid for, and counts each order once', async () => {
    const ranking = await bestSelling();
    const sold = await unitsSold();
    const inStock = new Set(await variantsInStock(graph, 99));
    const variantOf = new Map(demoProducts().map((p) => [p.id, p.variants.find((v) => inStock.has(v.id))?.id]));
    // The adjacent pair with the smallest gap whose lower product can be bought past the upper one.
    let pick: { above: string; below: string; variant: string; quantity: number } | undefined;
    for (let i = 0; i + 1 < ranking.length; i += 1) {
      const [above, below] = [ranking[i]!, ranking[i + 1]!];
      const quantity = sold.get(above)! - sold.get(below)! + 1;
      const variant = variantOf.get(below);
      if (variant && quantity <= 99 && (!pick || quantity < pick.quantity)) pick = { above, below, variant, quantity };
    }
    expect(pick, 'a pair of neighbours close enough to swap').toBeDefined();
    const { above, below, variant, quantity } = pick!;
    const before = sold.get(below)!;

    const { token, cart } = await shopperWithCart(graph, 'best-seller', variant, quantity);
    const order = await mutateOk<Result & { id: string }>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    // Placed is not sold: nothing moves until the order is paid.
    await new Promise((r) => setTimeout(r, 300));
    expect((await unitsSold()).get(below)).toBe(before);
    await mutateOk(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, token);

    await eventually('the listing to follow the sale', async () => {
      const now = await bestSelling();
      return now.indexOf(below) < now.indexOf(above);
    });
    expect((await unitsSold()).get(below)).toBe(before + quantity);

    // A cancellation after payment takes the sale back, and the listing with it.
    await mutateOk(graph, 'cancelOrder', { orderId: order.id }, token);
    await eventually('the listing to follow the cancellation', async () => (await unitsSold()).get(below) === before);
    const after = await bestSelling();
    expect(after.indexOf(above)).toBeLessThan(after.indexOf(below));
  }, 120_000);
});
