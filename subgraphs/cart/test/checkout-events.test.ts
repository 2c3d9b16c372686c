import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@ecom/platform/events/envelope';
import { createEventPublisher } from '@ecom/platform/events/event-transport';
import { eventually, testEvents, waitForQueue, type TestEvents, metricValue } from '@ecom/platform/events/testing';
import type { EventPublisher } from '@ecom/platform/events/transport';
import { createLogger } from '@ecom/platform/logger';
import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import * as schema from '../src/db/schema.ts';
import { cartSubgraph } from '../src/server.ts';

/** The cart's consumer of order.placed, on RabbitMQ when AMQP_URL is set and on the local spool otherwise. */

let events: TestEvents;
let cart: TestSubgraph<typeof schema>;
let publisher: EventPublisher;

const placed = (orderId: string, cartId: string, lines: { lineId: string; quantity: number }[]): EventEnvelope => ({
  id: randomUUID(),
  type: 'order.placed',
  version: 1,
  occurredAt: new Date().toISOString(),
  aggregateId: orderId,
  payload: { orderId, userId: 'u-1', cartId, lines, total: 1000, currency: 'EUR' },
});

async function cartWithLines(quantities: number[]) {
  const cartId = `cart_${randomUUID()}`;
  await cart.deps.db.insert(schema.carts).values({ id: cartId, ownerUserId: null, couponCode: 'WELCOME10' });
  const lines = quantities.map((quantity, i) => ({ id: `line_${randomUUID()}`, cartId, variantId: `var_${i}`, quantity }));
  await cart.deps.db.insert(schema.cartLines).values(lines);
  return { cartId, lineIds: lines.map((l) => l.id) };
}

const linesOf = async (cartId: string) =>
  new Map((await cart.deps.db.select().from(schema.cartLines).where(eq(schema.cartLines.cartId, cartId))).map((l) => [l.id, l.quantity]));

beforeAll(async () => {
  events = testEvents();
  cart = await startTestSubgraph(cartSubgraph, { events: events.config });
  await waitForQueue(events.config, 'cart');
  publisher = createEventPublisher(events.config, 'order', createLogger('test', 'silent'));
});

afterAll(async () => {
  await publisher?.close();
  await cart?.dispose();
  await events?.cleanup(['cart'], ['order']);
});

describe('cart closes a checked-out cart from order.placed', () => {
  it('takes exactly the ordered quantities out once, however often the event (or the direct call) arrives', async () => {
    const { cartId, lineIds } = await cartWithLines([2, 5]);
    const orderId = `ord_${randomUUID()}`;
    const event = placed(orderId, cartId, [
      { lineId: lineIds[0]!, quantity: 2 },
      { lineId: lineIds[1]!, quantity: 3 },
    ]);
    const duplicateLabels = { consumer: 'cart', type: 'order.placed', outcome: 'duplicate' };
    const duplicates = await metricValue('graph_events_consumed_total', duplicateLabels);
    await publisher.publish(event, {});
    await publisher.publish(event, {});
    // The relay's direct call for the same order comes as a different message: recorded per order, also a no-op.
    await publisher.publish({ ...event, id: randomUUID() }, {});
    await eventually('the redelivered event', async () => (await metricValue('graph_events_consumed_total', duplicateLabels)) > duplicates);
    await eventually('the cart to be closed', async () => (await linesOf(cartId)).size === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect([...(await linesOf(cartId)).entries()]).toEqual([[lineIds[1], 2]]);
    const [row] = await cart.deps.db.select().from(schema.carts).where(eq(schema.carts.id, cartId));
    expect(row!.couponCode).toBeNull();
  });
});
