import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@ecom/platform/db';
import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { eventually, testEvents, waitForQueue, type TestEvents } from '@ecom/platform/events/testing';
import * as marketingSchema from '@ecom/marketing/db/schema';
import { startGraph, type Graph } from '../support/graph.ts';
import { ADDRESS, mutate, mutateOk, variantsInStock, type CartView, type Result } from '../mutations/shopper.ts';

/**
 * Coupon rules end to end: orders paid through the gateway reach marketing through the order's
 * outbox (RabbitMQ when AMQP_URL is set, the local spool otherwise), and the shopper's next
 * applyCoupon is judged against the redemptions marketing counted from them.
 */

let graph: Graph;
let events: TestEvents;
let variant: string;

const marketingDb = () => graph.subgraphs.marketing.deps.db as unknown as Db<typeof marketingSchema>;

async function redeemed(orderId: string): Promise<boolean> {
  const rows = await marketingDb().select().from(marketingSchema.couponRedemptions).where(eq(marketingSchema.couponRedemptions.orderId, orderId));
  return rows.length === 1;
}

type CartResult = CartView & Result;

/** A signed-in shopper (the same one again when `token` is given) with a fresh cart. */
async function cartOf(token: string): Promise<CartResult> {
  return mutateOk<CartResult>(graph, 'addToCart', { variantId: variant, quantity: 1 }, token);
}

/** Places and pays an order for the cart with `code` applied; answers the order id once marketing counted it. */
async function buyWith(token: string, code: string): Promise<string> {
  const cart = await cartOf(token);
  const applied = await mutateOk<CartResult>(graph, 'applyCoupon', { cartId: cart.id, code }, token);
  expect(applied.appliedPromotions!.map((p) => p.id)).toContain(`coupon:${code}`);
  const order = await mutateOk<Result & { id: string }>(
    graph,
    'placeOrder',
    { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: applied.cost!.total },
    token,
  );
  await mutateOk(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, token);
  await eventually(`marketing to count ${order.id}`, () => redeemed(order.id));
  return order.id;
}

async function applyTo(token: string, code: string): Promise<Result> {
  const cart = await cartOf(token);
  return mutate(graph, 'applyCoupon', { cartId: cart.id, code }, token);
}

beforeAll(async () => {
  events = testEvents();
  graph = await startGraph({
    config: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { events: events.config }])),
    settings: { order: { outboxRelayIntervalMs: 50 } },
  });
  await waitForQueue(events.config, 'marketing');
  variant = (await variantsInStock(graph, 50))[0]!;
}, 1_500_000);

afterAll(async () => {
  await graph?.stop();
  await events?.cleanup(['product', 'cart', 'marketing'], ['order', 'stock']);
});

describe(`coupon rules follow paid orders (${process.env['AMQP_URL'] ? 'RabbitMQ' : 'local spool'})`, () => {
  it('refuses WELCOME10 to a shopper whose paid order used it, with CouponInvalidError; others may still use it', async () => {
    const token = await graph.token(`welcome-${randomUUID().slice(0, 8)}`);
    await buyWith(token, 'WELCOME10');

    const again = await applyTo(token, 'welcome10');
    expect(again).toMatchObject({ __typename: 'CouponInvalidError', code: 'COUPON_INVALID', retryable: false });
    expect(again.message).toContain('already used the coupon WELCOME10');

    const newcomer = await graph.token(`welcome-${randomUUID().slice(0, 8)}`);
    expect(await applyTo(newcomer, 'WELCOME10')).toMatchObject({ __typename: 'Cart' });
  }, 120_000);

  it('refuses a capped coupon once paid orders used it up, and takes it again when one of them is cancelled', async () => {
    const code = `CAP${randomUUID().slice(0, 6).toUpperCase()}`;
    await marketingDb()
      .insert(marketingSchema.coupons)
      .values({
        code,
        title: 'Capped: 5% off',
        percentOff: 5,
        maxRedemptions: 1,
        maxDiscount: 1000,
        validFrom: new Date('2025-01-01T00:00:00Z'),
        validTo: new Date('2031-01-01T00:00:00Z'),
      });
    const first = await graph.token(`cap-${randomUUID().slice(0, 8)}`);
    const orderId = await buyWith(first, code);

    const second = await graph.token(`cap-${randomUUID().slice(0, 8)}`);
    const refused = await applyTo(second, code);
    expect(refused).toMatchObject({ __typename: 'CouponInvalidError', code: 'COUPON_INVALID' });
    expect(refused.message).toContain('no longer available');

    // Cancelled after payment: the redemption is given back.
    await mutateOk(graph, 'cancelOrder', { orderId }, first);
    await eventually('the redemption to be given back', async () => !(await redeemed(orderId)));
    expect(await applyTo(second, code)).toMatchObject({ __typename: 'Cart' });
  }, 120_000);
});
