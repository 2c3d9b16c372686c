import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumerDefinition } from '@ecom/platform/events/consumer-definition';
import type { EventEnvelope } from '@ecom/platform/events/envelope';
import { startEventConsumer } from '@ecom/platform/events/event-transport';
import { eventually, testEvents, type TestEvents } from '@ecom/platform/events/testing';
import type { RunningConsumer } from '@ecom/platform/events/transport';
import { createLogger } from '@ecom/platform/logger';
import { startTestSubgraph } from '@ecom/platform/testing';
import { inventorySubgraph } from '../src/server.ts';
import { reserve, setAvailable, stockOf, type Inventory } from './inventory-client.ts';

/**
 * Inventory publishes stock.low when a variant crosses into LOW_STOCK and stock.depleted when it runs
 * out, through its outbox (RabbitMQ when AMQP_URL is set, the local spool otherwise). A listener
 * declared here receives them as any consumer would.
 */

let events: TestEvents;
let sg: Inventory;
let listener: RunningConsumer;
const received: EventEnvelope[] = [];

beforeAll(async () => {
  events = testEvents();
  const listen: ConsumerDefinition = {
    name: 'stock-listener',
    reads: [
      { type: 'stock.low', version: 1, fields: ['variantId', 'available'] },
      { type: 'stock.depleted', version: 1, fields: ['variantId'] },
    ],
    handle: async (event) => {
      received.push(event);
      return 'applied';
    },
  };
  listener = startEventConsumer(listen, events.config, createLogger('test', 'silent'));
  await listener.ready;
  sg = await startTestSubgraph(inventorySubgraph, { events: events.config, settings: { outboxRelayIntervalMs: 50 } });
});

afterAll(async () => {
  await listener?.stop();
  await sg?.dispose();
  await events?.cleanup(['stock-listener'], ['stock']);
});

const of = (variantId: string) => received.filter((e) => e.aggregateId === variantId).map((e) => [e.type, e.payload['available'] ?? null]);

describe('stock events', () => {
  it('raises stock.low on crossing into LOW_STOCK and stock.depleted on running out, once per crossing', async () => {
    const v = 'var-002-1';
    await setAvailable(sg, v, 20);
    await setAvailable(sg, v, 4); // IN_STOCK → LOW_STOCK
    await setAvailable(sg, v, 2); // still LOW_STOCK: nothing
    await setAvailable(sg, v, 0); // → OUT_OF_STOCK
    await setAvailable(sg, v, 10); // back IN_STOCK: nothing
    await eventually('both events', () => of(v).length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(of(v)).toEqual([
      ['stock.low', 4],
      ['stock.depleted', null],
    ]);
    const event = received.find((e) => e.aggregateId === v)!;
    expect(event).toMatchObject({ type: 'stock.low', version: 1, payload: { variantId: v, productId: expect.any(String) } });
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
  });

  it('raises them for reservations too (an order taking the last units)', async () => {
    const v = 'var-003-1';
    await setAvailable(sg, v, 7);
    const result = await reserve(sg, 'ord-stock-events-1', [{ variantId: v, quantity: 7 }]);
    expect(result).toMatchObject({ __typename: 'StockOperation', state: 'RESERVED' });
    expect((await stockOf(sg, v)).available).toBe(0);
    await eventually('stock.depleted', () => of(v).length >= 1);
    expect(of(v)).toEqual([['stock.depleted', null]]);
  });
});
