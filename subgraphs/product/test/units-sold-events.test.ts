import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@ecom/platform/events/envelope';
import { createEventPublisher, listDeadLetters, replayDeadLetters } from '@ecom/platform/events/event-transport';
import type { EventsConfig } from '@ecom/platform/events/events-config';
import { eventually, metricValue, testEvents, waitForQueue, type TestEvents } from '@ecom/platform/events/testing';
import type { EventPublisher } from '@ecom/platform/events/transport';
import { createLogger } from '@ecom/platform/logger';
import type { BootedSubgraph } from '@ecom/platform/subgraph-app';
import * as schema from '../src/db/schema.ts';
import { productStorage, someVariants, unitsSold } from './support/product-with-events.ts';

/**
 * The product consumer of the order's events, on RabbitMQ when AMQP_URL is set and on the local
 * spool otherwise. Events are published by the same publisher the order's outbox relay uses.
 */

const logger = createLogger('test', 'silent');

const paid = (orderId: string, lines: { variantId: string; quantity: number }[]): EventEnvelope => ({
  id: randomUUID(),
  type: 'order.paid',
  version: 1,
  occurredAt: new Date().toISOString(),
  aggregateId: orderId,
  payload: { orderId, userId: 'u-1', paymentId: `pay_${orderId}`, total: 1000, currency: 'EUR', lines },
});

const cancelled = (orderId: string, from: 'PAID' | 'PENDING_PAYMENT'): EventEnvelope => ({
  id: randomUUID(),
  type: 'order.cancelled',
  version: 1,
  occurredAt: new Date().toISOString(),
  aggregateId: orderId,
  payload: { orderId, userId: 'u-1', from, reason: null, refunded: from === 'PAID' },
});

const duplicates = () => metricValue('graph_events_consumed_total', { consumer: 'product', type: 'order.paid', outcome: 'duplicate' });

describe('product unitsSold from order events', () => {
  let events: TestEvents;
  let storage: Awaited<ReturnType<typeof productStorage>>;
  let product: BootedSubgraph<typeof schema>;
  let publisher: EventPublisher;
  let variants: { id: string; productId: string }[];
  let crashOnce: Set<string>;

  const config = (overrides: Partial<EventsConfig> = {}): EventsConfig => ({ ...events.config, ...overrides });

  beforeAll(async () => {
    crashOnce = new Set();
    events = testEvents({
      crashAfterEffect: (_consumer, event) => crashOnce.delete(event.id),
    });
    storage = await productStorage();
    product = await storage.boot(events.config);
    await waitForQueue(events.config, 'product');
    publisher = createEventPublisher(events.config, 'order', logger);
    variants = await someVariants(product, 40);
  });

  afterAll(async () => {
    await publisher?.close();
    await product?.close();
    await storage?.drop();
    await events?.cleanup(['product'], ['order']);
  });

  it('raises unitsSold once for a paid order, even when the consumer crashes after the effect and before the ack', async () => {
    const v = variants[0]!;
    const before = await unitsSold(product, v.productId);
    const duplicatesBefore = await duplicates();
    const event = paid(`o-${randomUUID()}`, [{ variantId: v.id, quantity: 3 }]);
    crashOnce.add(event.id);
    await publisher.publish(event, {});
    // The redelivery after the crash finds the inbox row and changes nothing.
    await eventually('the redelivery after the crash', async () => (await duplicates()) > duplicatesBefore);
    expect(await unitsSold(product, v.productId)).toBe(before + 3);
    expect(crashOnce.has(event.id)).toBe(false);
  });

  it('applies an event delivered twice once', async () => {
    const v = variants[1]!;
    const before = await unitsSold(product, v.productId);
    const duplicatesBefore = await duplicates();
    const event = paid(`o-${randomUUID()}`, [{ variantId: v.id, quantity: 2 }]);
    await publisher.publish(event, {});
    await publisher.publish(event, {});
    await eventually('the second delivery', async () => (await duplicates()) > duplicatesBefore);
    expect(await unitsSold(product, v.productId)).toBe(before + 2);
  });

  it('lowers unitsSold when a paid order is cancelled, and not for an order cancelled before payment', async () => {
    const v = variants[2]!;
    const before = await unitsSold(product, v.productId);
    const orderId = `o-${randomUUID()}`;
    await publisher.publish(paid(orderId, [{ variantId: v.id, quantity: 4 }]), {});
    await publisher.publish(cancelled(orderId, 'PAID'), {});
    const unpaid = `o-${randomUUID()}`;
    await publisher.publish(cancelled(unpaid, 'PENDING_PAYMENT'), {});
    const marker = paid(`o-${randomUUID()}`, [{ variantId: v.id, quantity: 1 }]);
    await publisher.publish(marker, {});
    // Events of one order apply in order: the paid order ends where it started, the marker adds one.
    await eventually('the marker event', async () => (await unitsSold(product, v.productId)) === before + 1);
  });

  it('keeps every paid order across a restart of the consuming subgraph while events are pending', async () => {
    const v = variants[3]!;
    const before = await unitsSold(product, v.productId);
    await product.close();
    for (let i = 0; i < 10; i += 1) await publisher.publish(paid(`o-${randomUUID()}`, [{ variantId: v.id, quantity: 1 }]), {});
    product = await storage.boot(events.config);
    await eventually('the pending events after the restart', async () => (await unitsSold(product, v.productId)) === before + 10);
  });

  it('dead-letters a poison event after the last attempt while the rest keep flowing, and replays it once fixed', async () => {
    const good = variants[4]!;
    const before = await unitsSold(product, good.productId);
    const newVariant = `v-${randomUUID()}`;
    const poison = paid(`o-${randomUUID()}`, [{ variantId: newVariant, quantity: 5 }]);
    await publisher.publish(poison, {});
    for (let i = 0; i < 3; i += 1) await publisher.publish(paid(`o-${randomUUID()}`, [{ variantId: good.id, quantity: 1 }]), {});
    await eventually('the healthy events', async () => (await unitsSold(product, good.productId)) === before + 3);
    await eventually('the dead letter', async () => (await listDeadLetters(config(), 'product')).length === 1);
    const [letter] = await listDeadLetters(config(), 'product');
    expect(letter).toMatchObject({ id: poison.id, type: 'order.paid', attempts: events.config.retry.maxAttempts });
    expect(letter!.lastError).toContain(newVariant);

    // The fix: the catalogue learns the variant. Then the operator's replay delivers it again.
    const owner = variants[5]!;
    const ownerBefore = await unitsSold(product, owner.productId);
    await product.deps.db
      .insert(schema.variants)
      .values({ id: newVariant, productId: owner.productId, sku: `sku-${newVariant}`, title: 'new', position: 99 });
    expect(await replayDeadLetters(config(), 'product')).toBe(1);
    await eventually('the replayed event', async () => (await unitsSold(product, owner.productId)) === ownerBefore + 5);
    expect(await listDeadLetters(config(), 'product')).toEqual([]);
  });
});
