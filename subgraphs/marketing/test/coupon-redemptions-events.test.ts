import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@ecom/platform/events/envelope';
import { relayEvents } from '@ecom/platform/events/background';
import { createEventPublisher, listDeadLetters } from '@ecom/platform/events/event-transport';
import { queueName, type EventsConfig } from '@ecom/platform/events/events-config';
import type { OutboxEntry, OutboxStore } from '@ecom/platform/events/outbox-relay';
import { eventually, metricValue, testEvents, waitForQueue, type TestEvents } from '@ecom/platform/events/testing';
import type { EventPublisher } from '@ecom/platform/events/transport';
import { createLogger } from '@ecom/platform/logger';
import { startMetricsServer } from '@ecom/platform/metrics';
import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import * as schema from '../src/db/schema.ts';
import { marketingSubgraph } from '../src/server.ts';

/**
 * Marketing's consumer of the order's events (RabbitMQ when AMQP_URL is set, the local spool
 * otherwise): coupon redemptions counted from payments, once per event, and the usage rules the
 * discount quote holds against them.
 */

const logger = createLogger('test', 'silent');

const paid = (orderId: string, userId: string, couponCode?: string | null): EventEnvelope => ({
  id: randomUUID(),
  type: 'order.paid',
  version: 1,
  occurredAt: new Date().toISOString(),
  aggregateId: orderId,
  payload: {
    orderId,
    userId,
    paymentId: `pay_${orderId}`,
    total: 10000,
    currency: 'CNY',
    lines: [{ variantId: 'var-001-a', quantity: 1 }],
    ...(couponCode === undefined ? {} : { couponCode }),
  },
});

const cancelled = (orderId: string, from: 'PAID' | 'PENDING_PAYMENT'): EventEnvelope => ({
  id: randomUUID(),
  type: 'order.cancelled',
  version: 1,
  occurredAt: new Date().toISOString(),
  aggregateId: orderId,
  payload: { orderId, userId: 'u-1', from, reason: null, refunded: from === 'PAID' },
});

const QUOTE = /* GraphQL */ `
  query ($input: DiscountQuoteInput!, $userId: ID) {
    discountQuote(input: $input, userId: $userId) {
      total
      coupon
      couponRefusal
    }
  }
`;

let events: TestEvents;
let sg: TestSubgraph<typeof schema>;
let publisher: EventPublisher;
let crashOnce: Set<string>;

async function redemptions(code: string): Promise<number> {
  const [row] = await sg.deps.db.select({ n: count() }).from(schema.couponRedemptions).where(eq(schema.couponRedemptions.code, code));
  return row!.n;
}

async function quote(code: string, userId: string | null) {
  const res = await sg.call<{ discountQuote: { total: number; coupon: string | null; couponRefusal: string | null } }>(QUOTE, {
    input: { shopGroups: [{ shopId: 'shop-peak', subtotal: 10000 }], couponCode: code },
    userId,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.discountQuote;
}

/** A coupon of this test's own, so the seeded ones stay as the other tests expect them. */
async function coupon(values: Partial<typeof schema.coupons.$inferInsert> = {}): Promise<string> {
  const code = `T${randomUUID().slice(0, 8).toUpperCase()}`;
  await sg.deps.db.insert(schema.coupons).values({
    code,
    title: 'Test: 10% off',
    percentOff: 10,
    maxDiscount: 5000,
    validFrom: new Date('2025-01-01T00:00:00Z'),
    validTo: new Date('2031-01-01T00:00:00Z'),
    ...values,
  });
  return code;
}

beforeAll(async () => {
  crashOnce = new Set();
  events = testEvents({ crashAfterEffect: (_consumer, event) => crashOnce.delete(event.id) });
  sg = await startTestSubgraph(marketingSubgraph, { events: events.config });
  await waitForQueue(events.config, 'marketing');
  publisher = createEventPublisher(events.config, 'order', logger);
});

afterAll(async () => {
  await publisher?.close();
  await sg?.dispose();
  await events?.cleanup(['marketing'], ['order']);
});

describe(`coupon redemptions from order events (${process.env['AMQP_URL'] ? 'RabbitMQ' : 'local spool'})`, () => {
  it('counts a paid order with a coupon once, even when the event is delivered twice or redelivered after a crash', async () => {
    const code = await coupon();
    const duplicates = () => metricValue('graph_events_consumed_total', { consumer: 'marketing', type: 'order.paid', outcome: 'duplicate' });
    const before = await duplicates();
    const twice = paid(`ord_${randomUUID()}`, 'u-twice', code);
    await publisher.publish(twice, {});
    await publisher.publish(twice, {});
    const crashed = paid(`ord_${randomUUID()}`, 'u-crash', code);
    crashOnce.add(crashed.id);
    await publisher.publish(crashed, {});
    await eventually('both duplicates', async () => (await duplicates()) >= before + 2);
    expect(await redemptions(code)).toBe(2);
    expect(crashOnce.has(crashed.id)).toBe(false);
  });

  it('ignores paid orders without a coupon, and events written before the field existed', async () => {
    const code = await coupon();
    await publisher.publish(paid(`ord_${randomUUID()}`, 'u-none', null), {});
    await publisher.publish(paid(`ord_${randomUUID()}`, 'u-old'), {});
    const marker = paid(`ord_${randomUUID()}`, 'u-marker', code);
    await publisher.publish(marker, {});
    await eventually('the marker', async () => (await redemptions(code)) === 1);
    const [row] = await sg.deps.db.select().from(schema.inbox).where(eq(schema.inbox.eventId, marker.id));
    expect(row).toBeDefined();
  });

  it('refuses a once-per-user coupon to a user who redeemed it, gives it back when that paid order is cancelled', async () => {
    const code = await coupon({ oncePerUser: true });
    expect(await quote(code, 'u-ann')).toMatchObject({ coupon: 'APPLIED', couponRefusal: null, total: 1000 });
    const orderId = `ord_${randomUUID()}`;
    await publisher.publish(paid(orderId, 'u-ann', code), {});
    await eventually('the redemption', async () => (await redemptions(code)) === 1);

    expect(await quote(code, 'u-ann')).toEqual({ coupon: 'INVALID', couponRefusal: 'ALREADY_REDEEMED', total: 0 });
    expect(await quote(code, 'u-bob')).toMatchObject({ coupon: 'APPLIED', couponRefusal: null });
    expect(await quote(code, null)).toMatchObject({ coupon: 'APPLIED' });

    await publisher.publish(cancelled(`ord_${randomUUID()}`, 'PENDING_PAYMENT'), {});
    await publisher.publish(cancelled(orderId, 'PAID'), {});
    await eventually('the redemption given back', async () => (await redemptions(code)) === 0);
    expect(await quote(code, 'u-ann')).toMatchObject({ coupon: 'APPLIED' });
  });

  it('refuses a capped coupon once its paid orders reach the cap', async () => {
    const code = await coupon({ maxRedemptions: 2 });
    for (const user of ['u-1', 'u-2']) {
      expect(await quote(code, user)).toEqual({ coupon: 'APPLIED', couponRefusal: null, total: 1000 });
      await publisher.publish(paid(`ord_${randomUUID()}`, user, code), {});
    }
    await eventually('two redemptions', async () => (await redemptions(code)) === 2);
    expect(await quote(code, 'u-3')).toEqual({ coupon: 'INVALID', couponRefusal: 'USAGE_LIMIT_REACHED', total: 0 });
    // Not once-per-user: the same shopper could use it again while the cap allowed.
    expect((await sg.deps.db.select().from(schema.coupons).where(eq(schema.coupons.code, code)))[0]!.oncePerUser).toBe(false);
  });

  it('seeds WELCOME10 as once per user and a capped coupon', async () => {
    const rows = await sg.deps.db.select().from(schema.coupons);
    expect(rows.find((c) => c.code === 'WELCOME10')).toMatchObject({ oncePerUser: true, maxRedemptions: null });
    expect(rows.some((c) => c.maxRedemptions !== null)).toBe(true);
  });

  it('dead-letters a paid order naming a coupon marketing does not know, while the rest flow', async () => {
    const code = await coupon();
    const poison = paid(`ord_${randomUUID()}`, 'u-poison', 'NO-SUCH-COUPON');
    await publisher.publish(poison, {});
    await publisher.publish(paid(`ord_${randomUUID()}`, 'u-good', code), {});
    await eventually('the healthy event', async () => (await redemptions(code)) === 1);
    await eventually('the dead letter', async () => (await listDeadLetters(events.config, 'marketing')).some((l) => l.id === poison.id));
    expect(await metricValue('graph_events_dead_lettered_total', { consumer: 'marketing', type: 'order.paid' })).toBeGreaterThanOrEqual(1);
  });
});

/** An outbox the relay drains, as a producer's table would be (a row is marked only after the transport accepted it). */
function outboxOf(events: EventEnvelope[]): OutboxStore & { rows: (OutboxEntry & { publishedAt?: Date })[] } {
  const rows = events.map((e, i): OutboxEntry & { publishedAt?: Date } => ({
    id: i + 1,
    eventId: e.id,
    aggregateId: e.aggregateId,
    type: e.type,
    version: e.version,
    payload: e.payload,
    headers: {},
    createdAt: new Date(e.occurredAt),
    attempts: 0,
  }));
  return {
    rows,
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
  };
}

/**
 * A transport that refuses every publish, for real: a broker nobody listens on, or a spool whose
 * queue folder bound to the event has lost its message folders.
 */
function brokenTransport(): EventsConfig {
  const broken: EventsConfig = { ...events.config, prefix: `${events.config.prefix}x`, publishTimeoutMs: 300 };
  if (broken.amqpUrl) return { ...broken, amqpUrl: 'amqp://guest:guest@127.0.0.1:9' };
  const queue = join(broken.spoolDir, queueName(broken, 'probe'));
  mkdirSync(queue, { recursive: true });
  writeFileSync(join(queue, 'bindings.json'), JSON.stringify([{ exchange: 'order', type: 'order.paid' }]));
  return broken;
}

/** One series of a Prometheus text scrape (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('event metrics at /metrics', () => {
  it('exports publishes, publish failures, outbox backlog age, consumer lag and dead letters', async () => {
    const metrics = await startMetricsServer(0, '127.0.0.1');
    const stuckSince = new Date(Date.now() - 3_600_000);
    const stuck = outboxOf([{ ...paid(`ord_${randomUUID()}`, 'u-stuck', null), occurredAt: stuckSince.toISOString() }]);
    const code = await coupon();
    const flowing = outboxOf([paid(`ord_${randomUUID()}`, 'u-relayed', code)]);
    const relays = [
      relayEvents({ config: { events: brokenTransport() }, logger }, { producer: 'stuck-probe', store: stuck, intervalMs: 50, batchSize: 10 }),
      relayEvents({ config: { events: events.config }, logger }, { producer: 'relay-probe', store: flowing, intervalMs: 50, batchSize: 10 }),
    ];
    try {
      await eventually('the relayed redemption', async () => (await redemptions(code)) === 1);
      await eventually('a failed publish', () => stuck.rows[0]!.attempts > 0);
      const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();

      expect(sample(text, 'graph_events_published_total', { producer: 'relay-probe', type: 'order.paid' })).toBe(1);
      expect(sample(text, 'graph_outbox_backlog_age_seconds', { producer: 'relay-probe' })).toBe(0);
      expect(sample(text, 'graph_events_publish_failures_total', { producer: 'stuck-probe', type: 'order.paid' })).toBeGreaterThanOrEqual(1);
      // Read from the outbox at scrape time: the age of the oldest row that never went out.
      expect(sample(text, 'graph_outbox_backlog_age_seconds', { producer: 'stuck-probe' })).toBeGreaterThanOrEqual(3_600);

      expect(sample(text, 'graph_events_consumed_total', { consumer: 'marketing', type: 'order.paid', outcome: 'applied' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(sample(text, 'graph_events_consumed_total', { consumer: 'marketing', type: 'order.paid', outcome: 'failed' })).toBeGreaterThanOrEqual(
        events.config.retry.maxAttempts,
      );
      expect(sample(text, 'graph_events_dead_lettered_total', { consumer: 'marketing', type: 'order.paid' })).toBeGreaterThanOrEqual(1);
      // Every handled event observed its lag; the +Inf bucket holds them all.
      const handled = sample(text, 'graph_event_consumer_lag_seconds_count', { consumer: 'marketing' });
      expect(handled).toBeGreaterThanOrEqual(5);
      expect(sample(text, 'graph_event_consumer_lag_seconds_bucket', { consumer: 'marketing', le: '+Inf' })).toBe(handled);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await metrics.stop();
    }
  });
});
