import { randomUUID } from 'node:crypto';
import type { FaultInjection } from '@ecom/platform/fault-injection';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import {
  ADDRESS,
  eventually,
  mutateOk,
  myOrders,
  OPS,
  readCart,
  readOrder,
  shopperWithCart,
  stockOf,
  variantsInStock,
  type OrderView,
  type Result,
} from './shopper.ts';

/** Time passing and processes dying: what the order saga must survive with no one's help but a retry. */
let graph: Graph;
let plenty: string[];
let next = 0;
const freshVariant = () => plenty[next++]!;
/** The order subgraph's live settings, read per request. */
let settings: Record<string, unknown>;
/** The order subgraph's fault injection: a test arms a failpoint, then "restarts" it by disarming. */
let faults: FaultInjection;

beforeAll(async () => {
  graph = await startGraph({ settings: { order: { reservationTtlSeconds: 2, expirySweepIntervalMs: 250, outboxRelayIntervalMs: 250 } } });
  settings = graph.subgraphs.order.deps.config.settings!;
  faults = graph.subgraphs.order.deps.faults;
  plenty = await variantsInStock(graph, 50);
});
afterAll(() => graph?.stop());
afterEach(() => {
  delete faults.failpoint;
  settings.reservationTtlSeconds = 2;
});

type Answer = { placeOrder?: Result; payOrder?: Result };

describe('an unpaid order', () => {
  it('with reservationTtlSeconds 2 becomes EXPIRED and its stock available again, with no request', async () => {
    const v = freshVariant();
    const before = await stockOf(graph, v);
    const { token, cart } = await shopperWithCart(graph, 'dawdler', v, 3);
    const order = await mutateOk<OrderView & Result>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    expect(Date.parse(order.reservationExpiresAt!) - Date.parse(order.createdAt)).toBeLessThanOrEqual(2_000);
    expect((await stockOf(graph, v)).available).toBe(before.available - 3);

    const expired = await eventually(
      () => readOrder(graph, order.id, token),
      (o) => o?.status === 'EXPIRED',
    );
    expect(expired).toMatchObject({ status: 'EXPIRED', reservationExpiresAt: null });
    expect(await stockOf(graph, v)).toEqual(before);
  });
});

describe('a crash between saga steps, then a retry with the same key', () => {
  it.each(['after-reserve', 'after-commit'])('placeOrder crashing %s converges on one order with its stock reserved once', async (failpoint) => {
    settings.reservationTtlSeconds = 900;
    const v = freshVariant();
    const before = await stockOf(graph, v);
    const { token, cart } = await shopperWithCart(graph, `crash-${failpoint}`, v, 2);
    const input = { cartId: cart.id, shippingAddress: ADDRESS, idempotencyKey: randomUUID() };

    faults.failpoint = failpoint;
    const crashed = await graph.request<Answer>(OPS.placeOrder, { input }, { token });
    expect(crashed.body.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    expect(crashed.body.data?.placeOrder ?? null).toBeNull();
    delete faults.failpoint;

    const retry = await graph.request<Answer>(OPS.placeOrder, { input }, { token });
    expect(retry.body.errors).toBeUndefined();
    const order = retry.body.data!.placeOrder!;
    expect(order).toMatchObject({ __typename: 'Order', status: 'PENDING_PAYMENT' });
    expect((await myOrders(graph, token)).map((o) => o.id)).toEqual([order.id]);
    expect(await stockOf(graph, v)).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 2 });
    expect(
      (await eventually(
        () => readCart(graph, cart.id, token),
        (c) => c?.lines.length === 0,
      ))!.lines,
    ).toEqual([]);
  });

  it('payOrder crashing after-stock-commit converges on one paid order with its stock sold once', async () => {
    settings.reservationTtlSeconds = 900;
    const v = freshVariant();
    const before = await stockOf(graph, v);
    const { token, cart } = await shopperWithCart(graph, 'crash-pay', v, 2);
    const order = await mutateOk<OrderView & Result>(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
    const input = { orderId: order.id, paymentToken: 'tok_visa', idempotencyKey: randomUUID() };

    faults.failpoint = 'after-stock-commit';
    const crashed = await graph.request<Answer>(OPS.payOrder, { input }, { token });
    expect(crashed.body.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    delete faults.failpoint;

    const retry = await graph.request<Answer>(OPS.payOrder, { input }, { token });
    expect(retry.body.data!.payOrder).toMatchObject({ __typename: 'Order', id: order.id, status: 'PAID' });
    expect(await stockOf(graph, v)).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    expect((await myOrders(graph, token)).map((o) => [o.id, o.status])).toEqual([[order.id, 'PAID']]);
  });
});
