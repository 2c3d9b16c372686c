import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  setAvailable,
  startCartProxy,
  startOrderGraph,
  stockOf,
  variantsInStock,
  type OrderGraph,
} from './order-graph.ts';

let g: OrderGraph;
let plenty: string[];
let nextVariant = 0;
/** A variant no other test touches, so stock assertions are exact. */
const freshVariant = () => plenty[nextVariant++]!;

beforeAll(async () => {
  g = await startOrderGraph({ reservationTtlSeconds: 900 });
  plenty = await variantsInStock(g, 20);
  expect(plenty.length).toBeGreaterThanOrEqual(20);
});
afterAll(() => g?.dispose());

const user = (name: string) => ({ userId: `user-${name}-${randomUUID().slice(0, 8)}` });

describe('placeOrder', () => {
  it('snapshots the cart into a pending order, reserves its stock and empties the cart', async () => {
    const as = user('ada');
    const [a, b] = [freshVariant(), freshVariant()];
    const [stockA, stockB] = [await stockOf(g, a), await stockOf(g, b)];
    let cart = await addToCart(g, as, a, 2);
    cart = await addToCart(g, as, b, 1, cart.id);
    const before = Date.now();

    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: cart.cost!.total }, as);

    expect(order.__typename).toBe('Order');
    expect(order.id).toMatch(/^ord_[0-9a-f]{24}$/);
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(order.cost).toEqual(cart.cost);
    expect(order.shippingAddress).toEqual({ ...ADDRESS, line2: null });
    const expires = Date.parse(order.reservationExpiresAt!);
    expect(expires).toBeGreaterThanOrEqual(before + 900_000 - 1_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(order.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      [a, 2],
      [b, 1],
    ]);
    for (const line of order.lines) {
      expect(line.sku).toMatch(/^SKU-\d{3}-\d$/);
      expect(line.title).toMatch(/ - (Standard|Large|Deluxe|Mini)$/);
      expect(line.lineTotal.amount).toBe(line.unitPrice.amount * line.quantity);
    }
    expect(order.lines.reduce((s, l) => s + l.lineTotal.amount, 0)).toBe(order.cost.subtotal.amount);

    expect(await stockOf(g, a)).toMatchObject({ onHand: stockA.onHand, reserved: stockA.reserved + 2 });
    expect(await stockOf(g, b)).toMatchObject({ onHand: stockB.onHand, reserved: stockB.reserved + 1 });
    expect((await readCart(g, cart.id, as))!.lines).toEqual([]);
    expect(await readOrder(g, order.id, as)).toEqual(order);
  });

  it('answers a retry of the same key with the same order, and a changed input with IdempotencyKeyReusedError', async () => {
    const as = user('retry');
    const v = freshVariant();
    const cart = await addToCart(g, as, v, 1);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };
    const first = await orderMutation(g, 'placeOrder', input, as);
    const again = await orderMutation(g, 'placeOrder', input, as);
    expect(first.result!.__typename).toBe('Order');
    expect(again.result).toEqual(first.result);
    const reused = await orderMutation(g, 'placeOrder', { ...input, shippingAddress: { ...ADDRESS, city: 'Beijing' } }, as);
    expect(reused.result).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    expect((await stockOf(g, v)).reserved).toBe(1);
  });

  it('never answers with another user’s order, even for a user id and key built to collide with its key', async () => {
    const first = user('pipe');
    const cart = await addToCart(g, first, freshVariant(), 1);
    const mine = await orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: 'a|placeOrder|b' }, first);
    expect(mine.result!.__typename).toBe('Order');
    // Joined with '|', (user:<first>|placeOrder|a, b) and (user:<first>, a|placeOrder|b) read the same:
    // the same order id, which used to be answered as it stood.
    const other = { userId: `${first.userId}|placeOrder|a` };
    const theirs = await orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: 'b' }, other);
    expect(theirs.result).toMatchObject({ __typename: 'NotFoundError' });
    expect(JSON.stringify(theirs.result)).not.toContain(mine.result!.id);
  });

  it('asks anonymous callers to sign in', async () => {
    const res = await mutateOrder(g, 'placeOrder', { cartId: 'cart_x', shippingAddress: ADDRESS }, {});
    expect(res).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED', retryable: false });
  });

  it.each([
    [{ shippingAddress: { ...ADDRESS, country: 'China' } }, 'input.shippingAddress.country'],
    [{ shippingAddress: { ...ADDRESS, name: '   ' } }, 'input.shippingAddress.name'],
    [{ shippingAddress: { ...ADDRESS, postalCode: '1'.repeat(21) } }, 'input.shippingAddress.postalCode'],
    [{ expectedTotal: { amount: -1, currency: 'CNY' } }, 'input.expectedTotal.amount'],
    [{ expectedTotal: { amount: 100, currency: 'yuan' } }, 'input.expectedTotal.currency'],
  ])('rejects %j with a ValidationError on %s, not stored', async (change, field) => {
    const as = user('val');
    const cart = await addToCart(g, as, freshVariant(), 1);
    const key = randomUUID();
    const bad = await orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, ...change, idempotencyKey: key }, as);
    expect(bad.result).toMatchObject({ __typename: 'ValidationError', code: 'INVALID_INPUT', retryable: false, field });
    // Not stored: the corrected request may reuse the key.
    const good = await orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: key }, as);
    expect(good.result!.__typename).toBe('Order');
  });

  it('does not let a user check out somebody else’s cart, or an unknown one', async () => {
    const owner = user('owner');
    const cart = await addToCart(g, owner, freshVariant(), 1);
    for (const cartId of [cart.id, 'cart_doesnotexist']) {
      const res = await mutateOrder(g, 'placeOrder', { cartId, shippingAddress: ADDRESS }, user('thief'));
      expect(res).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', retryable: false });
    }
    expect((await readCart(g, cart.id, owner))!.lines).toHaveLength(1);
  });

  it('refuses an empty cart with CartEmptyError', async () => {
    const as = user('empty');
    const v = freshVariant();
    const cart = await addToCart(g, as, v, 1);
    await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    const res = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    expect(res).toMatchObject({ __typename: 'CartEmptyError', code: 'CART_EMPTY', retryable: false });
    expect((await stockOf(g, v)).reserved).toBe(1);
  });

  it('answers a stale expectedTotal with PriceChangedError and reserves nothing', async () => {
    const as = user('price');
    const v = freshVariant();
    const cart = await addToCart(g, as, v, 3);
    const stale = { amount: cart.cost!.total.amount + 100, currency: 'CNY' };
    const res = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: stale }, as);
    expect(res).toMatchObject({
      __typename: 'PriceChangedError',
      code: 'PRICE_CHANGED',
      retryable: false,
      expectedTotal: stale,
      actualTotal: cart.cost!.total,
    });
    expect((await stockOf(g, v)).reserved).toBe(0);
    expect((await readCart(g, cart.id, as))!.lines).toHaveLength(1);
  });

  it('answers a short line with InsufficientStockError and reserves nothing of any line', async () => {
    const as = user('short');
    const [ok, short] = [freshVariant(), freshVariant()];
    const cart = await addToCart(g, as, ok, 2);
    await addToCart(g, as, short, 3, cart.id);
    await setAvailable(g, short, 2);
    const res = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    expect(res).toMatchObject({ __typename: 'InsufficientStockError', code: 'INSUFFICIENT_STOCK', retryable: false, variantId: short, available: 2 });
    expect((await stockOf(g, ok)).reserved).toBe(0);
    expect((await stockOf(g, short)).reserved).toBe(0);
    expect((await readCart(g, cart.id, as))!.lines).toHaveLength(2);
  });
});

describe('pending orders per user (MAX_PENDING_ORDERS, default 5)', () => {
  const place = async (as: { userId: string }, v: string, idempotencyKey = randomUUID()) => {
    const cart = await addToCart(g, as, v, 1);
    return (await orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey }, as)).result!;
  };

  it('refuses a sixth unpaid order with LimitExceededError, reserving nothing, until one is paid or cancelled', async () => {
    const as = user('hoarder');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const order = await place(as, v);
      expect(order.__typename).toBe('Order');
      placed.push(order.id);
    }
    const refused = await place(as, v);
    expect(refused).toMatchObject({ __typename: 'LimitExceededError', code: 'LIMIT_EXCEEDED', retryable: false, limit: 5 });
    expect(refused.message).toMatch(/5 orders waiting for payment/);
    expect(await stockOf(g, v)).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 5 });

    // Another user is not affected.
    expect((await place(user('neighbour'), v)).__typename).toBe('Order');
    await mutateOrder(g, 'cancelOrder', { orderId: placed[0] }, as);
    expect((await place(as, v)).__typename).toBe('Order');
  });

  it('holds under concurrent checkouts of one user: exactly the cap are placed', async () => {
    const as = user('burst');
    const v = freshVariant();
    const before = await stockOf(g, v);
    const cart = await addToCart(g, as, v, 1);
    // The cart is not emptied meanwhile (its checkouts fail and are retried later), so every
    // checkout of it finds a full cart: before the cap each one of them became an order.
    const proxy = await startCartProxy(() => g.cart.url);
    const realCart = g.urls.cart;
    g.urls.cart = proxy.url;
    proxy.failing = true;
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          orderMutation(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() }, as),
        ),
      );
      const answers = results.map((r) => r.result?.__typename ?? JSON.stringify(r.errors)).sort();
      expect(answers, JSON.stringify(results.map((r) => (r.result?.__typename === 'Order' ? 'Order' : (r.result ?? r.errors))))).toEqual([
        ...Array(3).fill('LimitExceededError'),
        ...Array(5).fill('Order'),
      ]);
      expect((await stockOf(g, v)).reserved).toBe(before.reserved + 5);
    } finally {
      g.urls.cart = realCart;
      await proxy.close();
    }
  });
});

describe('payOrder and cancelOrder', () => {
  async function placed(name: string, quantity = 2) {
    const as = user(name);
    const v = freshVariant();
    const cart = await addToCart(g, as, v, quantity);
    const order = await mutateOrder(g, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, as);
    expect(order.__typename).toBe('Order');
    return { as, v, order, stock: await stockOf(g, v) };
  }

  it('declines a tok_decline token and leaves the order as it was', async () => {
    const { as, v, order, stock } = await placed('decline');
    const res = await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_decline_insufficient_funds' }, as);
    expect(res).toMatchObject({ __typename: 'PaymentDeclinedError', code: 'PAYMENT_DECLINED', retryable: false });
    expect(await readOrder(g, order.id, as)).toEqual(order);
    expect(await stockOf(g, v)).toEqual(stock);
  });

  it('pays: the order is PAID, its reserved stock sold; a second payment is an InvalidStateError', async () => {
    const { as, v, order, stock } = await placed('payer', 2);
    const key = randomUUID();
    const paid = await orderMutation(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: key }, as);
    expect(paid.result).toMatchObject({ __typename: 'Order', id: order.id, status: 'PAID', reservationExpiresAt: null, cost: order.cost });
    expect(await stockOf(g, v)).toMatchObject({ onHand: stock.onHand - 2, reserved: stock.reserved - 2 });
    // The same key replays; another key finds it paid.
    expect((await orderMutation(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: key }, as)).result).toEqual(
      paid.result,
    );
    const again = await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, as);
    expect(again).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', retryable: false });
    const charges = (await paymentsOf(g.order.deps.db, order.id)).filter((p) => p.kind === 'CHARGE');
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: 'APPROVED', amount: order.cost.total.amount });
  });

  it('does not let anyone else pay for or cancel my order', async () => {
    const { order } = await placed('mine');
    const stranger = user('stranger');
    expect(await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, stranger)).toMatchObject({
      __typename: 'NotFoundError',
    });
    expect(await mutateOrder(g, 'cancelOrder', { orderId: order.id }, stranger)).toMatchObject({ __typename: 'NotFoundError' });
    expect(await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, {})).toMatchObject({
      __typename: 'UnauthenticatedError',
    });
  });

  it('cancels an unpaid order and releases its stock', async () => {
    const { as, v, order, stock } = await placed('cancel-pending', 3);
    const res = await mutateOrder(g, 'cancelOrder', { orderId: order.id, reason: 'changed my mind' }, as);
    expect(res).toMatchObject({ __typename: 'Order', status: 'CANCELLED', reservationExpiresAt: null });
    expect(await stockOf(g, v)).toMatchObject({ onHand: stock.onHand, reserved: stock.reserved - 3 });
    expect(await mutateOrder(g, 'cancelOrder', { orderId: order.id }, as)).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    expect(await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, as)).toMatchObject({ __typename: 'InvalidStateError' });
  });

  it('cancels a paid order: the stock returns and the charge is refunded once', async () => {
    const { as, v, order, stock } = await placed('cancel-paid', 2);
    await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_mastercard' }, as);
    const res = await mutateOrder(g, 'cancelOrder', { orderId: order.id }, as);
    expect(res).toMatchObject({ __typename: 'Order', status: 'CANCELLED' });
    expect(await stockOf(g, v)).toMatchObject({ onHand: stock.onHand, reserved: stock.reserved - 2 });
    const payments = await paymentsOf(g.order.deps.db, order.id);
    expect(payments.map((p) => [p.kind, p.status]).sort()).toEqual([
      ['CHARGE', 'APPROVED'],
      ['REFUND', 'APPROVED'],
    ]);
  });

  it('records every state change in the outbox and the relay publishes them in order', async () => {
    const { as, order } = await placed('events');
    await mutateOrder(g, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, as);
    await mutateOrder(g, 'cancelOrder', { orderId: order.id }, as);
    const events = await eventually(
      () => eventsOf(g.order.deps.db, order.id),
      (es) => es.length === 3 && es.every((e) => e.publishedAt !== null),
    );
    expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'order.cancelled']);
    expect(events.every((e) => e.publishedAt !== null)).toBe(true);
  });
});
