import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../src/db/outbox.ts';
import { paymentsOf } from '../src/db/payments.ts';
import {
  ADDRESS,
  addToCart,
  eventually,
  mutateOrder,
  orderMutation,
  readCart,
  readOrder,
  startCartProxy,
  startOrderGraph,
  stockOf,
  variantsInStock,
  type OrderGraph,
  type OrderResult,
} from './order-graph.ts';

let g: OrderGraph;
let plenty: string[];
let nextVariant = 0;
const freshVariant = () => plenty[nextVariant++]!;
const user = (name: string) => ({ userId: `user-${name}-${randomUUID().slice(0, 8)}` });

beforeAll(async () => {
  g = await startOrderGraph({ reservationTtlSeconds: 900, expirySweepIntervalMs: 250, outboxRelayIntervalMs: 250, stalledCancellationGraceMs: 500 });
  plenty = await variantsInStock(g, 60);
  expect(plenty.length).toBeGreaterThanOrEqual(20);
});
afterAll(() => g?.dispose());
afterEach(() => {
  // Every test leaves the "restarted" process healthy for the next.
  delete g.faults.failpoint;
  g.settings.reservationTtlSeconds = 900;
});

async function myOrderIds(as: { userId: string }): Promise<string[]> {
  const res = await g.order.call<{ myOrders: { edges: { node: { id: string } }[] } }>(`{ myOrders(first: 100) { edges { node { id } } } }`, {}, as);
  return res.data!.myOrders.edges.map((e) => e.node.id);
}

/** A simulated crash: the request fails with a fault, not a business answer. */
function expectCrash(res: { result: OrderResult | null; errors?: { extensions?: Record<string, unknown> }[] }) {
  expect(res.result).toBeNull();
  expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL');
}

describe('a crash between saga steps, then a retry with the same key', () => {
  it('after reserving: the retry creates the one order on the one reservation', async () => {
    const as = user('crash-reserve');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 3);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };

    g.faults.failpoint = 'after-reserve';
    expectCrash(await orderMutation(g, 'placeOrder', input, as));
    expect((await stockOf(g, v)).reserved).toBe(before.reserved + 3);
    expect(await myOrderIds(as)).toEqual([]);

    delete g.faults.failpoint;
    const retry = await orderMutation(g, 'placeOrder', input, as);
    expect(retry.result).toMatchObject({ __typename: 'Order', status: 'PENDING_PAYMENT' });
    expect(await myOrderIds(as)).toEqual([retry.result!.id]);
    expect(await stockOf(g, v)).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 3 });
    expect((await readCart(g, cart.id, as))!.lines).toEqual([]);
  });

  it('after reserving, with the cart changed before the retry: the order is what was reserved', async () => {
    const as = user('crash-changed');
    const [v, w] = [freshVariant(), freshVariant()];
    const cart = await addToCart(g, as, v, 2);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };
    g.faults.failpoint = 'after-reserve';
    expectCrash(await orderMutation(g, 'placeOrder', input, as));
    delete g.faults.failpoint;
    await addToCart(g, as, w, 1, cart.id);

    const retry = await orderMutation(g, 'placeOrder', input, as);
    expect(retry.result!.lines.map((l) => [l.variantId, l.quantity])).toEqual([[v, 2]]);
    expect((await stockOf(g, v)).reserved).toBe(2);
    expect((await stockOf(g, w)).reserved).toBe(0);
    // Only what was ordered left the cart.
    expect((await readCart(g, cart.id, as))!.lines.map((l) => [l.variant.id, l.quantity])).toEqual([[w, 1]]);
  });

  it('after committing the order: the cart is still emptied with no request, and the retry answers the same order', async () => {
    const as = user('crash-commit');
    const v = freshVariant();
    const cart = await addToCart(g, as, v, 1);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };
    g.faults.failpoint = 'after-commit';
    expectCrash(await orderMutation(g, 'placeOrder', input, as));
    const [orderId] = await myOrderIds(as);
    expect(orderId).toBeDefined();
    // The relay performs the checkout the crashed request never got to.
    expect(
      (await eventually(
        () => readCart(g, cart.id, as),
        (c) => c!.lines.length === 0,
      ))!.lines,
    ).toEqual([]);

    delete g.faults.failpoint;
    const retry = await orderMutation(g, 'placeOrder', input, as);
    expect(retry.result!.id).toBe(orderId);
    expect(await myOrderIds(as)).toEqual([orderId]);
    expect((await stockOf(g, v)).reserved).toBe(1);
  });

  it('after committing the stock of a payment: the retry marks it paid, the stock sold once', async () => {
    const as = user('crash-pay');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 2);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    const pay = { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: randomUUID() };

    g.faults.failpoint = 'after-stock-commit';
    expectCrash(await orderMutation(g, 'payOrder', pay, as));
    expect((await readOrder(g, order.id, as))!.status).toBe('PENDING_PAYMENT');
    delete g.faults.failpoint;

    const retry = await orderMutation(g, 'payOrder', pay, as);
    expect(retry.result).toMatchObject({ __typename: 'Order', status: 'PAID' });
    expect(await stockOf(g, v)).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    expect((await paymentsOf(g.order.deps.db, order.id)).filter((p) => p.kind === 'CHARGE')).toHaveLength(1);
  });

  it('after committing a payment or a cancellation: the retry replays the stored answer', async () => {
    const as = user('crash-replay');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 1);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    g.faults.failpoint = 'after-commit';
    const pay = { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: randomUUID() };
    expectCrash(await orderMutation(g, 'payOrder', pay, as));
    const cancel = { orderId: order.id, idempotencyKey: randomUUID() };
    expectCrash(await orderMutation(g, 'cancelOrder', cancel, as));
    delete g.faults.failpoint;

    expect((await orderMutation(g, 'payOrder', pay, as)).result).toMatchObject({ status: 'PAID' });
    expect((await orderMutation(g, 'cancelOrder', cancel, as)).result).toMatchObject({ status: 'CANCELLED' });
    expect(await stockOf(g, v)).toMatchObject({ onHand: before.onHand, reserved: before.reserved });
  });
});

describe('without any request', () => {
  it('expires an unpaid order at the end of its reservation and makes its stock available again', async () => {
    g.settings.reservationTtlSeconds = 2;
    const as = user('expire');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 4);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    expect((await stockOf(g, v)).available).toBe(before.available - 4);

    const expired = await eventually(
      () => readOrder(g, order.id, as),
      (o) => o!.status === 'EXPIRED',
    );
    expect(expired).toMatchObject({ status: 'EXPIRED', reservationExpiresAt: null });
    expect(await stockOf(g, v)).toEqual(before);
    const late = await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, as);
    expect(late).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    const types = (await eventsOf(g.order.deps.db, order.id)).map((e) => e.type);
    expect(types).toEqual(['order.placed', 'order.expired']);
  });

  it('finishes a payment that died after selling the stock instead of expiring the order', async () => {
    g.settings.reservationTtlSeconds = 2;
    const as = user('orphan-pay');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 1);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    g.faults.failpoint = 'after-stock-commit';
    expectCrash(await orderMutation(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: randomUUID() }, as));
    delete g.faults.failpoint;

    const settled = await eventually(
      () => readOrder(g, order.id, as),
      (o) => o!.status !== 'PENDING_PAYMENT',
    );
    expect(settled!.status).toBe('PAID');
    expect(await stockOf(g, v)).toMatchObject({ onHand: before.onHand - 1, reserved: before.reserved });
  });

  it('refunds a payment that died after charging, before the stock was committed, when the order expires', async () => {
    g.settings.reservationTtlSeconds = 2;
    const as = user('charged-crash');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 1);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    g.faults.failpoint = 'after-charge';
    expectCrash(await orderMutation(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: randomUUID() }, as));
    delete g.faults.failpoint;

    expect(
      (await eventually(
        () => readOrder(g, order.id, as),
        (o) => o!.status === 'EXPIRED',
      ))!.status,
    ).toBe('EXPIRED');
    expect(await stockOf(g, v)).toEqual(before);
    const payments = await paymentsOf(g.order.deps.db, order.id);
    expect(payments.map((p) => [p.kind, p.status, p.amount]).sort()).toEqual([
      ['CHARGE', 'APPROVED', order.cost.total.amount],
      ['REFUND', 'APPROVED', order.cost.total.amount],
    ]);
  });

  it('finishes the cancellation of a paid order that died after restocking, and its retry answers the cancelled order', async () => {
    const as = user('cancel-crash');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 2);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, as);
    const cancel = { orderId: order.id, reason: 'too slow', idempotencyKey: randomUUID() };
    g.faults.failpoint = 'after-stock-commit';
    expectCrash(await orderMutation(g, 'cancelOrder', cancel, as));
    delete g.faults.failpoint;
    // Restocked, refunded, but still PAID: the sweeper finishes it.
    expect(await stockOf(g, v)).toEqual(before);

    expect(
      (await eventually(
        () => readOrder(g, order.id, as),
        (o) => o!.status === 'CANCELLED',
      ))!.status,
    ).toBe('CANCELLED');
    expect((await orderMutation(g, 'cancelOrder', cancel, as)).result).toMatchObject({ __typename: 'Order', id: order.id, status: 'CANCELLED' });
    expect(await stockOf(g, v)).toEqual(before);
    const refunds = (await paymentsOf(g.order.deps.db, order.id)).filter((p) => p.kind === 'REFUND');
    expect(refunds).toHaveLength(1);
    expect((await eventsOf(g.order.deps.db, order.id)).map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'order.cancelled']);
  });

  it('gives back the stock of a checkout that died after reserving and was never retried', async () => {
    g.settings.reservationTtlSeconds = 2;
    const as = user('abandoned');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 2);
    g.faults.failpoint = 'after-reserve';
    expectCrash(await orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() }, as));
    delete g.faults.failpoint;
    expect((await stockOf(g, v)).reserved).toBe(before.reserved + 2);

    expect(
      await eventually(
        () => stockOf(g, v),
        (s) => s.reserved === before.reserved,
      ),
    ).toEqual(before);
    expect(await myOrderIds(as)).toEqual([]);
    expect((await readCart(g, cart.id, as))!.lines).toHaveLength(1);
  });

  it('retries the cart checkout of a placed order until the cart confirms it', async () => {
    const proxy = await startCartProxy(() => g.cart.url);
    g.urls.cart = proxy.url;
    try {
      proxy.failing = true;
      const as = user('relay');
      const v = freshVariant();
      const cart = await addToCart(g, as, v, 1);
      const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
      expect(order.__typename).toBe('Order');
      const failing = await eventually(
        () => eventsOf(g.order.deps.db, order.id),
        (es) => es[0]!.attempts >= 2,
      );
      expect(failing[0]).toMatchObject({ type: 'order.placed', publishedAt: null });
      expect((await readCart(g, cart.id, as))!.lines).toHaveLength(1);

      proxy.failing = false;
      const published = await eventually(
        () => eventsOf(g.order.deps.db, order.id),
        (es) => es[0]!.publishedAt !== null,
      );
      expect(published[0]!.publishedAt).not.toBeNull();
      expect((await readCart(g, cart.id, as))!.lines).toEqual([]);
    } finally {
      g.urls.cart = g.cart.url;
      await proxy.close();
    }
  });
});

describe('races', () => {
  it('50 concurrent placeOrder with one key make exactly one order', async () => {
    const as = user('herd');
    const v = freshVariant();
    const cart = await addToCart(g, as, v, 1);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };
    const results = await Promise.all(Array.from({ length: 50 }, () => orderMutation(g, 'placeOrder', input, as)));
    const orders = await myOrderIds(as);
    expect(orders).toHaveLength(1);
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      if (r.result!.__typename === 'Order') expect(r.result!.id).toBe(orders[0]);
      else expect(r.result).toMatchObject({ __typename: 'IdempotencyInProgressError', code: 'IDEMPOTENCY_IN_PROGRESS', retryable: true });
    }
    expect(results.some((r) => r.result!.__typename === 'Order')).toBe(true);
    expect((await stockOf(g, v)).reserved).toBe(1);
    const reused = await orderMutation(g, 'placeOrder', { ...input, shippingAddress: { ...ADDRESS, name: 'Someone Else' } }, as);
    expect(reused.result).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('a payment racing a cancellation ends consistent: stock sold only for a paid order, money back for a cancelled one', async () => {
    const v = freshVariant();
    const before = await stockOf(g, v);
    const placed = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const as = user(`race-${i}`);
        const cart = await addToCart(g, as, v, 1);
        return { as, order: await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as) };
      }),
    );
    await Promise.all(
      placed.flatMap(({ as, order }) => [
        mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, as),
        mutateOrder(g, 'cancelOrder', { orderId: order.id }, as),
      ]),
    );
    let paidUnits = 0;
    for (const { as, order } of placed) {
      const final = (await readOrder(g, order.id, as))!;
      expect(['PAID', 'CANCELLED']).toContain(final.status);
      const payments = await paymentsOf(g.order.deps.db, order.id);
      const charged = payments.some((p) => p.kind === 'CHARGE' && p.status === 'APPROVED');
      const refunded = payments.some((p) => p.kind === 'REFUND' && p.status === 'APPROVED');
      if (final.status === 'PAID') {
        paidUnits += 1;
        expect([charged, refunded]).toEqual([true, false]);
      } else {
        expect(refunded).toBe(charged);
      }
    }
    expect(await stockOf(g, v)).toMatchObject({ onHand: before.onHand - paidUnits, reserved: before.reserved });
  });
});
