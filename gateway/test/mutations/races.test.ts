import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import {
  ADDRESS,
  mutate,
  mutateOk,
  myOrders,
  OPS,
  setAvailable,
  shopperWithCart,
  stockOf,
  variantsInStock,
  type OrderView,
  type Result,
} from './shopper.ts';

/**
 * Many clients at once. Sizes are the issue's; the gateway's request budget is raised so that a
 * loaded CI machine answers slowly rather than with timeouts (nothing here asserts a duration).
 */
let graph: Graph;
let plenty: string[];

beforeAll(async () => {
  graph = await startGraph({ gateway: { requestTimeoutMs: 120_000 } });
  plenty = await variantsInStock(graph, 50);
});
afterAll(() => graph?.stop());

describe('one key, fifty requests', () => {
  it('makes exactly one order; every answer is that order or IdempotencyInProgressError', async () => {
    const v = plenty[0]!;
    const before = await stockOf(graph, v);
    const { token, cart } = await shopperWithCart(graph, 'impatient', v, 2);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => graph.request<{ placeOrder: Result }>(OPS.placeOrder, { input }, { token })),
    );

    const orders = await myOrders(graph, token);
    expect(orders).toHaveLength(1);
    for (const res of responses) {
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      const answer = res.body.data!.placeOrder;
      if (answer.__typename === 'Order') expect(answer.id).toBe(orders[0]!.id);
      else expect(answer).toMatchObject({ __typename: 'IdempotencyInProgressError', code: 'IDEMPOTENCY_IN_PROGRESS', retryable: true });
    }
    expect(await stockOf(graph, v)).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 2 });

    const other = await graph.request<{ placeOrder: Result }>(
      OPS.placeOrder,
      { input: { ...input, shippingAddress: { ...ADDRESS, line1: '2 Other Street' } } },
      { token },
    );
    expect(other.body.data!.placeOrder).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    expect(await myOrders(graph, token)).toHaveLength(1);
  });
});

describe('forty buyers, seven units', () => {
  it('sells exactly seven, never more than there is, and the books balance', async () => {
    const v = plenty[1]!;
    const received = (await setAvailable(graph, v, 7)).onHand;
    expect(await stockOf(graph, v)).toMatchObject({ onHand: 7, reserved: 0, available: 7 });

    const buyers = await Promise.all(Array.from({ length: 40 }, (_, i) => shopperWithCart(graph, `buyer-${i}`, v, 1)));
    const answers = await Promise.all(
      buyers.map(({ token, cart }) => mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token)),
    );

    const won = answers.filter((a) => a.__typename === 'Order') as (OrderView & Result)[];
    const lost = answers.filter((a) => a.__typename !== 'Order');
    expect(won).toHaveLength(7);
    expect(lost).toHaveLength(33);
    for (const a of lost)
      expect(a).toMatchObject({ __typename: 'InsufficientStockError', code: 'INSUFFICIENT_STOCK', retryable: false, variantId: v, available: 0 });
    let stock = await stockOf(graph, v);
    expect(stock).toMatchObject({ onHand: 7, reserved: 7, available: 0 });

    // Pay four, cancel one, leave two waiting; the sold units leave the shelf, the cancelled one returns.
    const winners = won.map((order) => ({ order, token: buyers[answers.indexOf(order)]!.token }));
    await Promise.all([
      ...winners.slice(0, 4).map(({ order, token }) => mutateOk(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, token)),
      mutateOk(graph, 'cancelOrder', { orderId: winners[4]!.order.id }, winners[4]!.token),
    ]);
    stock = await stockOf(graph, v);
    expect(stock.onHand).toBeGreaterThanOrEqual(stock.reserved);
    expect(stock.reserved).toBeGreaterThanOrEqual(0);
    expect(stock).toMatchObject({ onHand: 3, reserved: 2, available: 1 });

    const paidUnits = (await Promise.all(buyers.map(({ token }) => myOrders(graph, token))))
      .flat()
      .filter((o) => o.status === 'PAID')
      .reduce((units, o) => units + o.lines.reduce((s, l) => s + l.quantity, 0), 0);
    expect(paidUnits).toBe(4);
    expect(paidUnits + stock.onHand).toBe(received);
  });
});
