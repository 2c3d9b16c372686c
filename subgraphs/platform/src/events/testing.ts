import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import type { MetricValue } from 'prom-client';
import { testEnv } from '../env.ts';
import { registry } from '../metrics.ts';
import { deadLetterQueueName, exchangeName, queueName, type EventsConfig } from './events-config.ts';

export interface TestEvents {
  config: EventsConfig;
  transport: 'rabbitmq' | 'spool';
  /** Deletes this run's queues and exchanges (RabbitMQ) or spool folder. */
  cleanup(consumers: string[], domains: string[]): Promise<void>;
}

/**
 * Events for one test file: on RabbitMQ when AMQP_URL is set, on a fresh spool folder otherwise;
 * either way under a prefix of its own, so parallel runs never share a queue. Quick retries.
 */
export function testEvents(overrides: Partial<EventsConfig> = {}): TestEvents {
  const { amqpUrl } = testEnv();
  const spoolDir = mkdtempSync(join(tmpdir(), 'ecom-events-'));
  const config: EventsConfig = {
    amqpUrl,
    spoolDir,
    prefix: `t${randomBytes(5).toString('hex')}`,
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 },
    pollIntervalMs: 25,
    prefetch: 16,
    publishTimeoutMs: 5_000,
    ...overrides,
  };
  return {
    config,
    transport: amqpUrl ? 'rabbitmq' : 'spool',
    async cleanup(consumers, domains) {
      rmSync(spoolDir, { recursive: true, force: true });
      if (!amqpUrl) return;
      const connection = await amqplib.connect(amqpUrl);
      const ch = await connection.createChannel();
      for (const c of consumers) {
        await ch.deleteQueue(queueName(config, c));
        await ch.deleteQueue(deadLetterQueueName(config, c));
      }
      for (const d of domains) await ch.deleteExchange(exchangeName(config, d));
      await connection.close();
    },
  };
}

/** Polls `probe` until it returns true (or throws after `timeoutMs`, with `what` in the message). */
export async function eventually(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a consumer's queue has been declared, so what is published next reaches it. */
export async function waitForQueue(config: EventsConfig, consumer: string): Promise<void> {
  const queue = queueName(config, consumer);
  await eventually(`queue ${queue}`, async () => {
    if (!config.amqpUrl) return existsSync(join(config.spoolDir, queue, 'bindings.json'));
    const connection = await amqplib.connect(config.amqpUrl);
    try {
      const ch = await connection.createChannel();
      ch.on('error', () => {});
      await ch.checkQueue(queue);
      return true;
    } catch {
      return false;
    } finally {
      await connection.close().catch(() => {});
    }
  });
}

/** The value of one series of the process's registry (a counter, a gauge, or a histogram's `_count`), 0 when absent. */
export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name.replace(/_count$/, ''));
  if (!metric) return 0;
  const wanted = Object.entries(labels);
  const sample = (await metric.get()).values.find(
    // A histogram's values are its _bucket, _sum and _count series, each named.
    (v: MetricValue<string> & { metricName?: string }) =>
      (v.metricName ?? name) === name && wanted.every(([k, value]) => String(v.labels[k]) === value),
  );
  return sample?.value ?? 0;
}
