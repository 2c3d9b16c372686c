import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import {
  ADDRESS,
  mutate,
  mutateOk,
  myOrders,
  OPS,
  readCart,
  readOrder,
  setAvailable,
  shopperWithCart,
  stockOf,
  variantsInStock,
  type CartView,
  type OrderView,
  type Result,
} from './shopper.ts';

/**
 * Every contract mutation, end to end through the gateway with the registered operations, and every
 * contract error type as the client receives it.
 */
let graph: Graph;
let plenty: string[];
let next = 0;
const freshVariant = () => plenty[next++]!;

/** Each contract error type seen by a test, with what the client received. */
const seen = new Map<string, Result>();
function expectError(result: Result, type: string, code: string) {
  expect(result, JSON.stringify(result)).toMatchObject({ __typename: type, code });
  expect(typeof result.message).toBe('string');
  expect(result.message!.length).toBeGreaterThan(0);
  seen.set(type, result);
}

beforeAll(async () => {
  graph = await startGraph();
  plenty = await variantsInStock(graph, 50);
  expect(plenty.length).toBeGreaterThanOrEqual(20);
});
afterAll(() => graph?.stop());

type CartResult = CartView & Result;
type OrderResult = OrderView & Result;

describe('a shopper, from an anonymous cart to a paid order', () => {
  it('adds, merges, edits, applies a coupon, places, pays, and reads the order back', async () => {
    const [a, b, c] = [freshVariant(), freshVariant(), freshVariant()];
    const [stockA, stockB] = [await stockOf(graph, a), await stockOf(graph, b)];
    const anonymous = await mutateOk<CartResult>(graph, 'addToCart', { variantId: a, quantity: 2 });
    expect(anonymous.lines.map((l) => [l.variant.id, l.quantity])).toEqual([[a, 2]]);

    const token = await graph.token(`shopper-${randomUUID().slice(0, 8)}`);
    const mobile = await mutate(graph, 'mobileAddToCart', { variantId: b, quantity: 1 }, token);
    expect(mobile).toMatchObject({ __typename: 'Cart', lines: [{ quantity: 1, variant: { id: b } }] });
    let cart = await mutateOk<CartResult>(graph, 'mergeCart', { anonymousCartId: anonymous.id }, token);
    expect(cart.id).toBe(mobile.id);
    expect(cart.lines.map((l) => [l.variant.id, l.quantity]).sort()).toEqual(
      [
        [a, 2],
        [b, 1],
      ].sort(),
    );

    const lineB = cart.lines.find((l) => l.variant.id === b)!;
    cart = await mutateOk<CartResult>(
      graph,
      'updateCartLine',
      { cartId: cart.id, lineId: lineB.id, quantity: 3, expectedVersion: cart.version },
      token,
    );
    const stale = await mutate(graph, 'updateCartLine', { cartId: cart.id, lineId: lineB.id, quantity: 4, expectedVersion: cart.version - 1 }, token);
    expectError(stale, 'VersionConflictError', 'VERSION_CONFLICT');
    expect(stale).toMatchObject({ retryable: false, currentVersion: cart.version });

    cart = await mutateOk<CartResult>(graph, 'addToCart', { cartId: cart.id, variantId: c, quantity: 1 }, token);
    const lineC = cart.lines.find((l) => l.variant.id === c)!;
    cart = await mutateOk<CartResult>(graph, 'removeCartLine', { cartId: cart.id, lineId: lineC.id, expectedVersion: cart.version }, token);
    expect(cart.lines.map((l) => l.variant.id).sort()).toEqual([a, b].sort());

    const badCoupon = await mutate(graph, 'applyCoupon', { cartId: cart.id, code: 'NOT-A-COUPON' }, token);
    expectError(badCoupon, 'CouponInvalidError', 'COUPON_INVALID');
    const before = cart.cost!;
    cart = await mutateOk<CartResult>(graph, 'applyCoupon', { cartId: cart.id, code: 'WELCOME10' }, token);
    expect(cart.appliedPromotions!.map((p) => p.id)).toContain('coupon:WELCOME10');
    expect(cart.cost!.discount.amount).toBeGreaterThan(before.discount.amount);
    expect(cart.cost!.total.amount).toBe(cart.cost!.subtotal.amount - cart.cost!.discount.amount + cart.cost!.shipping.amount);

    const order = await mutateOk<OrderResult>(
      graph,
      'placeOrder',
      { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: cart.cost!.total },
      token,
    );
    expect(order).toMatchObject({ status: 'PENDING_PAYMENT', cost: cart.cost });
    expect(order.lines.map((l) => [l.variantId, l.quantity]).sort()).toEqual(
      [
        [a, 2],
        [b, 3],
      ].sort(),
    );
    for (const line of order.lines) {
      const inCart = cart.lines.find((l) => l.variant.id === line.variantId)!;
      expect(line.sku).toBe(inCart.variant.sku);
      expect(line.title).toBe(`${inCart.variant.product.title} - ${inCart.variant.title}`);
    }
    expect((await readCart(graph, cart.id, token))!.lines).toEqual([]);
    expect(await stockOf(graph, a)).toMatchObject({ onHand: stockA.onHand, reserved: stockA.reserved + 2 });

    const declined = await mutate(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_decline_card' }, token);
    expectError(declined, 'PaymentDeclinedError', 'PAYMENT_DECLINED');
    expect(declined.retryable).toBe(false);
    const paid = await mutateOk<OrderResult>(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, token);
    expect(paid).toMatchObject({ id: order.id, status: 'PAID', reservationExpiresAt: null, cost: order.cost, lines: order.lines });
    expect(await stockOf(graph, a)).toMatchObject({ onHand: stockA.onHand - 2, reserved: stockA.reserved });
    expect(await stockOf(graph, b)).toMatchObject({ onHand: stockB.onHand - 3, reserved: stockB.reserved });

    const again = await mutate(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, token);
    expectError(again, 'InvalidStateError', 'INVALID_STATE');
    const { __typename: _typename, ...fields } = paid;
    expect(await readOrder(graph, order.id, token)).toEqual(fields);
    const mine = await myOrders(graph, token);
    expect(mine.map((o) => [o.id, o.status])).toEqual([[order.id, 'PAID']]);
    // Nobody else sees it.
    const stranger = await graph.token('stranger');
    expect(await readOrder(graph, order.id, stranger)).toBeNull();
  });

  it('cancels a pending order (placed from the mobile app) and a paid one; the stock comes back', async () => {
    const v = freshVariant();
    const start = await stockOf(graph, v);
    const { token, cart } = await shopperWithCart(graph, 'canceller', v, 2);
    const mobile = await mutate(graph, 'mobilePlaceOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    expect(mobile).toMatchObject({ __typename: 'Order', status: 'PENDING_PAYMENT', cost: { total: cart.cost!.total } });
    const cancelled = await mutateOk<OrderResult>(graph, 'cancelOrder', { orderId: mobile.id, reason: 'ordered by mistake' }, token);
    expect(cancelled.status).toBe('CANCELLED');
    expect(await stockOf(graph, v)).toEqual(start);
    expectError(await mutate(graph, 'cancelOrder', { orderId: mobile.id }, token), 'InvalidStateError', 'INVALID_STATE');

    await mutateOk(graph, 'addToCart', { cartId: cart.id, variantId: v, quantity: 1 }, token);
    const order = await mutateOk<OrderResult>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    await mutateOk(graph, 'payOrder', { orderId: order.id, paymentToken: 'tok_visa' }, token);
    expect((await stockOf(graph, v)).onHand).toBe(start.onHand - 1);
    expect(await mutateOk<OrderResult>(graph, 'cancelOrder', { orderId: order.id }, token)).toMatchObject({ status: 'CANCELLED' });
    expect(await stockOf(graph, v)).toEqual(start);
  });

  it('adjusts stock for an admin only, never below what is reserved', async () => {
    const v = freshVariant();
    const start = await stockOf(graph, v);
    const admin = await graph.token('ops-admin', ['admin']);
    const raised = await mutateOk<Result & { onHand: number; available: number }>(
      graph,
      'adjustStock',
      { variantId: v, delta: 5, reason: 'delivery' },
      admin,
    );
    expect(raised).toMatchObject({ variantId: v, onHand: start.onHand + 5, available: start.available + 5 });

    expectError(
      await mutate(graph, 'adjustStock', { variantId: v, delta: 1 }, await graph.token('not-admin')),
      'PermissionDeniedError',
      'PERMISSION_DENIED',
    );
    expectError(await mutate(graph, 'adjustStock', { variantId: v, delta: 1 }), 'UnauthenticatedError', 'UNAUTHENTICATED');

    const { token, cart } = await shopperWithCart(graph, 'holder', v, 2);
    await mutateOk(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    const tooLow = await mutate(graph, 'adjustStock', { variantId: v, delta: -(start.onHand + 5) }, admin);
    expectError(tooLow, 'ValidationError', 'INVALID_INPUT');
    expect(await stockOf(graph, v)).toMatchObject({ onHand: start.onHand + 5, reserved: start.reserved + 2 });
  });
});

describe('what the client is told', () => {
  it('placeOrder: sign in, valid input, a cart of yours with something in it, the total you saw, stock', async () => {
    const v = freshVariant();
    const { token, cart } = await shopperWithCart(graph, 'errors', v, 2);
    expectError(await mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }), 'UnauthenticatedError', 'UNAUTHENTICATED');
    const invalid = await mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: { ...ADDRESS, country: 'CHN' } }, token);
    expectError(invalid, 'ValidationError', 'INVALID_INPUT');
    expect(invalid.field).toBe('input.shippingAddress.country');
    expectError(
      await mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, await graph.token('other')),
      'NotFoundError',
      'NOT_FOUND',
    );
    const changed = await mutate(
      graph,
      'placeOrder',
      { cartId: cart.id, shippingAddress: ADDRESS, expectedTotal: { amount: 1, currency: 'CNY' } },
      token,
    );
    expectError(changed, 'PriceChangedError', 'PRICE_CHANGED');
    expect(changed).toMatchObject({ expectedTotal: { amount: 1, currency: 'CNY' }, actualTotal: cart.cost!.total });

    await setAvailable(graph, v, 1);
    const short = await mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    expectError(short, 'InsufficientStockError', 'INSUFFICIENT_STOCK');
    expect(short).toMatchObject({ variantId: v, available: 1 });
    expect((await stockOf(graph, v)).reserved).toBe(0);

    const line = cart.lines[0]!;
    const fixed = await mutateOk<CartResult>(
      graph,
      'updateCartLine',
      { cartId: cart.id, lineId: line.id, quantity: 1, expectedVersion: cart.version },
      token,
    );
    await mutateOk(graph, 'placeOrder', { cartId: fixed.id, shippingAddress: ADDRESS }, token);
    expectError(await mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token), 'CartEmptyError', 'CART_EMPTY');
  });

  it('a key is one request: replayed for the same input, refused for another, and "in progress" while it runs', async () => {
    const v = freshVariant();
    const { token, cart } = await shopperWithCart(graph, 'keys', v, 1);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };
    const inventory = graph.subgraphs.inventory.deps.faults;
    // The saga waits on a slow inventory longer than a duplicate waits for it.
    Object.assign(inventory, { mode: 'delay', delayMs: 3_500 });
    try {
      const first = graph.request<{ placeOrder: Result }>(OPS.placeOrder, { input }, { token });
      await new Promise((r) => setTimeout(r, 500));
      const duplicate = await graph.request<{ placeOrder: Result }>(OPS.placeOrder, { input }, { token });
      expectError(duplicate.body.data!.placeOrder, 'IdempotencyInProgressError', 'IDEMPOTENCY_IN_PROGRESS');
      expect(duplicate.body.data!.placeOrder.retryable).toBe(true);
      const placed = (await first).body.data!.placeOrder;
      expect(placed.__typename).toBe('Order');
      Object.assign(inventory, { mode: 'none', delayMs: 0 });
      const replay = await graph.request<{ placeOrder: Result }>(OPS.placeOrder, { input }, { token });
      expect(replay.body.data!.placeOrder).toEqual(placed);
    } finally {
      Object.assign(inventory, { mode: 'none', delayMs: 0 });
    }
    const reused = await graph.request<{ placeOrder: Result }>(
      OPS.placeOrder,
      { input: { ...input, shippingAddress: { ...ADDRESS, city: 'Hangzhou' } } },
      { token },
    );
    expectError(reused.body.data!.placeOrder, 'IdempotencyKeyReusedError', 'IDEMPOTENCY_KEY_REUSED');
    expect((await myOrders(graph, token)).length).toBe(1);
  });

  it('payOrder and myOrders for someone who may not', async () => {
    const token = await graph.token('nobody');
    expectError(
      await mutate(graph, 'payOrder', { orderId: 'ord_000000000000000000000000', paymentToken: 'tok_visa' }, token),
      'NotFoundError',
      'NOT_FOUND',
    );
    const anonymous = await graph.request(OPS.myOrders, { first: 10 });
    expect(anonymous.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const tooMany = await graph.request(OPS.myOrders, { first: 101 }, { token });
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('every contract error type reached the client with its code and retryable flag', () => {
    const contract: Record<string, [string, boolean]> = {
      ValidationError: ['INVALID_INPUT', false],
      NotFoundError: ['NOT_FOUND', false],
      UnauthenticatedError: ['UNAUTHENTICATED', false],
      PermissionDeniedError: ['PERMISSION_DENIED', false],
      InsufficientStockError: ['INSUFFICIENT_STOCK', false],
      VersionConflictError: ['VERSION_CONFLICT', false],
      CartEmptyError: ['CART_EMPTY', false],
      PriceChangedError: ['PRICE_CHANGED', false],
      PaymentDeclinedError: ['PAYMENT_DECLINED', false],
      InvalidStateError: ['INVALID_STATE', false],
      CouponInvalidError: ['COUPON_INVALID', false],
      IdempotencyKeyReusedError: ['IDEMPOTENCY_KEY_REUSED', false],
      IdempotencyInProgressError: ['IDEMPOTENCY_IN_PROGRESS', true],
    };
    expect([...seen.keys()].sort()).toEqual(Object.keys(contract).sort());
    for (const [type, [code, retryable]] of Object.entries(contract)) {
      expect(seen.get(type), type).toMatchObject({ code, retryable });
    }
  });
});
