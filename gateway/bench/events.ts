/**
 * `npm run bench:events --workspace @ecom/gateway`: the event pipeline on this machine, once on the
 * local spool and once on RabbitMQ (when AMQP_URL is set). An outbox of N `order.paid` rows is drained
 * by the platform relay (marking each row only after the transport confirmed it) into the product
 * subgraph's consumer, which applies each in a transaction with its inbox row. Reports events per
 * second through the relay (draining a backlog of BENCH_EVENTS), and, one event at a time with no
 * backlog (BENCH_LATENCY_SAMPLES), the delay from the event's commit (its outbox row) to the
 * consumer's committed effect (the inbox row's processedAt): p50 / p99.
 */
import { randomUUID } from 'node:crypto';
import { SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { createEventPublisher } from '@ecom/platform/events/event-transport';
import { relayOutboxEvents, type OutboxEntry, type OutboxStore } from '@ecom/platform/events/outbox-relay';
import { eventually, testEvents, waitForQueue } from '@ecom/platform/events/testing';
import { createLogger } from '@ecom/platform/logger';
import { bootSubgraph } from '@ecom/platform/subgraph-app';
import { testCredentials } from '@ecom/platform/testing';
import * as productSchema from '@ecom/product/db/schema';
import { productSubgraph } from '@ecom/product/server';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 2_000);
const LATENCY_SAMPLES = Number(process.env['BENCH_LATENCY_SAMPLES'] ?? 50);
const logger = createLogger('bench', 'silent');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function run(transport: 'spool' | 'rabbitmq', amqpUrl: string | undefined) {
  const events = testEvents({ amqpUrl, retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 1_000 }, pollIntervalMs: 10, prefetch: 64 });
  const product = await bootSubgraph(productSubgraph, {
    credentials: testCredentials('product'),
    subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, 'http://127.0.0.1:9/graphql'])) as Record<SubgraphName, string>,
    logger,
    events: events.config,
  });
  await product.listen(0);
  await waitForQueue(events.config, 'product');
  const [variant] = await product.deps.db.select().from(productSchema.variants).limit(1);
  const publisher = createEventPublisher(events.config, 'order', logger);

  const rows: (OutboxEntry & { published?: boolean })[] = [];
  const store: OutboxStore = {
    unpublished: async (limit) => rows.filter((r) => !r.published).slice(0, limit),
    markPublished: async (id) => {
      rows[id - 1]!.published = true;
      return true;
    },
    recordFailure: async (id) => {
      rows[id - 1]!.attempts += 1;
    },
  };
  const started = Date.now();
  for (let i = 0; i < EVENTS; i += 1) {
    const orderId = `bench-${randomUUID()}`;
    rows.push({
      id: i + 1,
      eventId: randomUUID(),
      aggregateId: orderId,
      type: 'order.paid',
      version: 1,
      payload: { orderId, userId: 'bench', paymentId: null, total: 100, currency: 'CNY', lines: [{ variantId: variant!.id, quantity: 1 }] },
      headers: {},
      createdAt: new Date(),
      attempts: 0,
    });
  }
  const state = { batchSize: 100, lastTried: new Map<number, number>() };
  while (rows.some((r) => !r.published)) await relayOutboxEvents({ producer: 'order', store, publisher, logger }, state);
  const relayed = Date.now();
  await eventually(
    'every event applied',
    async () => (await product.deps.db.select({ id: productSchema.inbox.eventId }).from(productSchema.inbox)).length >= EVENTS,
    300_000,
  );
  const applied = Date.now();

  // Latency with no backlog: one event at a time, from its commit to the consumer's committed effect.
  const delays: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
    const orderId = `bench-${randomUUID()}`;
    const row = {
      id: rows.length + 1,
      eventId: randomUUID(),
      aggregateId: orderId,
      type: 'order.paid',
      version: 1,
      payload: { orderId, userId: 'bench', paymentId: null, total: 100, currency: 'CNY', lines: [{ variantId: variant!.id, quantity: 1 }] },
      headers: {},
      createdAt: new Date(),
      attempts: 0,
    };
    rows.push(row);
    await relayOutboxEvents({ producer: 'order', store, publisher, logger }, state);
    let processedAt: Date | undefined;
    await eventually('the sample event', async () => {
      processedAt = (await product.deps.db.select().from(productSchema.inbox)).find((r) => r.eventId === row.eventId)?.processedAt;
      return processedAt !== undefined;
    });
    delays.push(processedAt!.getTime() - row.createdAt.getTime());
  }
  delays.sort((a, b) => a - b);
  await publisher.close();
  await product.close();
  await events.cleanup(['product'], ['order']);
  return {
    transport,
    events: EVENTS,
    relayEventsPerSecond: Math.round(EVENTS / ((relayed - started) / 1000)),
    endToEndEventsPerSecond: Math.round(EVENTS / ((applied - started) / 1000)),
    // Per event without a backlog (relay run → transport → consumer poll/delivery → effect committed).
    commitToEffectMs: { samples: delays.length, p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.at(-1) },
  };
}

const results = [await run('spool', undefined)];
const amqpUrl = process.env['AMQP_URL'];
if (amqpUrl) results.push(await run('rabbitmq', amqpUrl));
else console.error('AMQP_URL unset: RabbitMQ skipped (AMQP_URL=amqp://guest:guest@127.0.0.1:5672 to include it)');
console.log(JSON.stringify(results, null, 2));
process.exit(0);
