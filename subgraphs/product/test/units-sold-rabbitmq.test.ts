import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '@ecom/platform/env';
import { createEventPublisher } from '@ecom/platform/events/event-transport';
import { relayOutboxEvents, type OutboxEntry, type OutboxStore } from '@ecom/platform/events/outbox-relay';
import { eventually, testEvents, waitForQueue, type TestEvents } from '@ecom/platform/events/testing';
import type { EventPublisher } from '@ecom/platform/events/transport';
import { createLogger } from '@ecom/platform/logger';
import type { BootedSubgraph } from '@ecom/platform/subgraph-app';
import type * as schema from '../src/db/schema.ts';
import { startConnectionCutter } from './support/connection-cutter.ts';
import { productStorage, someVariants, unitsSold } from './support/product-with-events.ts';

/** Failures only a real broker has: dropped connections and a broker restart. Runs when AMQP_URL is set. */

const { amqpUrl } = testEnv();
const logger = createLogger('test', 'silent');
const run = promisify(execFile);

/** An outbox the relay drains, as the order's table would be (rows marked only after the confirm). */
function outboxOf(count: number, variantId: string): { store: OutboxStore; rows: (OutboxEntry & { publishedAt?: Date })[] } {
  const rows = Array.from({ length: count }, (_, i): OutboxEntry & { publishedAt?: Date } => {
    const orderId = `o-${randomUUID()}`;
    return {
      id: i + 1,
      eventId: randomUUID(),
      aggregateId: orderId,
      type: 'order.paid',
      version: 1,
      payload: { orderId, userId: 'u-1', paymentId: null, total: 100, currency: 'EUR', lines: [{ variantId, quantity: 1 }] },
      headers: {},
      createdAt: new Date(),
      attempts: 0,
    };
  });
  return {
    rows,
    store: {
      unpublished: async (limit) => rows.filter((r) => !r.publishedAt).slice(0, limit),
      async markPublished(id, now) {
        const row = rows.find((r) => r.id === id)!;
        if (row.publishedAt) return false;
        row.publishedAt = now;
        return true;
      },
      async recordFailure(id) {
        rows.find((r) => r.id === id)!.attempts += 1;
      },
    },
  };
}

describe.skipIf(!amqpUrl)('product unitsSold on RabbitMQ under broker failures', () => {
  let events: TestEvents;
  let storage: Awaited<ReturnType<typeof productStorage>>;
  let product: BootedSubgraph<typeof schema>;
  let cutter: Awaited<ReturnType<typeof startConnectionCutter>>;
  let publisher: EventPublisher;
  let variants: { id: string; productId: string }[];

  beforeAll(async () => {
    events = testEvents({ publishTimeoutMs: 2_000 });
    cutter = await startConnectionCutter(amqpUrl!);
    storage = await productStorage();
    // The consumer reaches the broker through the cutter; the publisher goes direct.
    product = await storage.boot({ ...events.config, amqpUrl: cutter.url });
    await waitForQueue(events.config, 'product');
    publisher = createEventPublisher(events.config, 'order', logger);
    variants = await someVariants(product, 10);
  });

  afterAll(async () => {
    await publisher?.close();
    await product?.close();
    await cutter?.close();
    await storage?.drop();
    await events?.cleanup(['product'], ['order']);
  });

  it('applies every paid order exactly once when the consumer connection is dropped mid-stream', async () => {
    const v = variants[0]!;
    const before = await unitsSold(product, v.productId);
    const { store, rows } = outboxOf(60, v.id);
    const relay = { producer: 'order', store, publisher, logger };
    const state = { batchSize: 10, lastTried: new Map<number, number>() };
    for (let round = 0; rows.some((r) => !r.publishedAt); round += 1) {
      await relayOutboxEvents(relay, state);
      if (round === 2 || round === 4) cutter.cut();
    }
    await eventually('every paid order', async () => (await unitsSold(product, v.productId)) === before + 60, 30_000);
    // Redeliveries of what was in flight at the cuts have arrived and changed nothing.
    await new Promise((r) => setTimeout(r, 500));
    expect(await unitsSold(product, v.productId)).toBe(before + 60);
  });

  it('applies every paid order exactly once when RabbitMQ restarts while orders are being paid', async () => {
    const v = variants[1]!;
    const before = await unitsSold(product, v.productId);
    const { store, rows } = outboxOf(30, v.id);
    const relay = { producer: 'order', store, publisher, logger };
    const state = { batchSize: 5, lastTried: new Map<number, number>() };
    await relayOutboxEvents(relay, state);
    await run('rabbitmqctl', ['stop_app']);
    try {
      // While the broker is down nothing is confirmed, so nothing is marked sent.
      await relayOutboxEvents(relay, state);
      expect(rows.filter((r) => r.publishedAt)).toHaveLength(5);
    } finally {
      await run('rabbitmqctl', ['start_app']);
    }
    await eventually(
      'the relay to drain its outbox',
      async () => {
        await relayOutboxEvents(relay, { ...state, lastTried: new Map() });
        return rows.every((r) => r.publishedAt);
      },
      60_000,
    );
    await eventually('every paid order', async () => (await unitsSold(product, v.productId)) === before + 30, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await unitsSold(product, v.productId)).toBe(before + 30);
  }, 120_000);
});
