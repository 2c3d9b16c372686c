import { createServer } from 'node:net';
import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import {
  ADDRESS,
  mutate,
  mutateOk,
  myOrders,
  readCart,
  readOrder,
  shopperWithCart,
  stockOf,
  variantsInStock,
  type OrderView,
  type Result,
} from './shopper.ts';

/** A port nothing listens on: bound once to find it, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Redis holds nothing that must not be lost: with it unreachable, orders are still taken and kept. */
let graph: Graph;
beforeAll(async () => {
  const redisUrl = `redis://127.0.0.1:${await closedPort()}`;
  graph = await startGraph({
    config: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { redisUrl }])),
    gateway: { requestTimeoutMs: 60_000 },
  });
});
afterAll(() => graph?.stop());

describe('with Redis unreachable', () => {
  it('places, pays and lists orders, and loses none', async () => {
    for (const name of SUBGRAPH_NAMES) expect(graph.subgraphs[name].deps.cache.kind).toBe('redis');
    const variants = (await variantsInStock(graph, 20)).slice(0, 10);
    const before = await Promise.all(variants.map((v) => stockOf(graph, v)));

    const shoppers = await Promise.all(variants.map((v, i) => shopperWithCart(graph, `no-redis-${i}`, v, 2)));
    const orders = await Promise.all(
      shoppers.map(({ token, cart }) =>
        mutateOk<OrderView & Result>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: cart.cost!.total }, token),
      ),
    );
    const paid = await mutate(graph, 'payOrder', { orderId: orders[0]!.id, paymentToken: 'tok_visa' }, shoppers[0]!.token);
    expect(paid).toMatchObject({ __typename: 'Order', status: 'PAID' });

    for (const [i, { token, cart }] of shoppers.entries()) {
      const order = orders[i]!;
      expect((await myOrders(graph, token)).map((o) => o.id)).toEqual([order.id]);
      expect(await readOrder(graph, order.id, token)).toMatchObject({ id: order.id, status: i === 0 ? 'PAID' : 'PENDING_PAYMENT', cost: cart.cost });
      expect((await readCart(graph, cart.id, token))!.lines).toEqual([]);
      const stock = await stockOf(graph, variants[i]!);
      expect(stock).toMatchObject(
        i === 0 ? { onHand: before[i]!.onHand - 2, reserved: before[i]!.reserved } : { onHand: before[i]!.onHand, reserved: before[i]!.reserved + 2 },
      );
    }
  });
});
