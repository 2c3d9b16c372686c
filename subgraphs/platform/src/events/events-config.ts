import type { EventEnvelope } from './envelope.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.ts';

/** How a subgraph's events travel; the same for its relay (publisher) and its consumer. */
export interface EventsConfig {
  /** RabbitMQ. Unset: the local spool under `spoolDir` (one machine, durable, same semantics). */
  amqpUrl?: string;
  spoolDir: string;
  /** Prefix of every exchange, queue and spool folder, so environments (and test runs) never share one. */
  prefix: string;
  retry: RetryPolicy;
  /** How often a spool consumer looks for new events. */
  pollIntervalMs: number;
  /** Unacknowledged messages a RabbitMQ consumer holds at once (events of different aggregates run side by side). */
  prefetch: number;
  /** A publish not confirmed within this is a failure; the relay retries it. */
  publishTimeoutMs: number;
  /**
   * Test-only failure point: when it returns true the consumer "crashes" after the effect committed
   * and before the ack (RabbitMQ: its channel dies and the broker redelivers; spool: the file stays).
   */
  crashAfterEffect?: (consumer: string, event: EventEnvelope) => boolean;
}

export interface EventsEnv {
  AMQP_URL?: string | undefined;
  EVENTS_DIR: string;
  EVENTS_PREFIX: string;
  EVENT_MAX_ATTEMPTS: number;
  EVENT_RETRY_BASE_MS: number;
  EVENT_RETRY_MAX_MS: number;
}

export function eventsConfigFrom(env: EventsEnv): EventsConfig {
  return {
    amqpUrl: env.AMQP_URL,
    spoolDir: env.EVENTS_DIR,
    prefix: env.EVENTS_PREFIX,
    retry: { maxAttempts: env.EVENT_MAX_ATTEMPTS, baseDelayMs: env.EVENT_RETRY_BASE_MS, maxDelayMs: env.EVENT_RETRY_MAX_MS },
    pollIntervalMs: 200,
    prefetch: 32,
    publishTimeoutMs: 10_000,
  };
}

export const DEFAULT_EVENTS_SETTINGS = { retry: DEFAULT_RETRY_POLICY, pollIntervalMs: 200, prefetch: 32, publishTimeoutMs: 10_000 };

/** Names shared by both transports: a topic exchange per domain, a durable queue per consumer, its dead letters. */
export const exchangeName = (config: Pick<EventsConfig, 'prefix'>, domain: string) => `${config.prefix}.${domain}`;
export const queueName = (config: Pick<EventsConfig, 'prefix'>, consumer: string) => `${config.prefix}.${consumer}`;
export const deadLetterQueueName = (config: Pick<EventsConfig, 'prefix'>, consumer: string) => `${config.prefix}.${consumer}.dead`;
