import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '../logger.ts';
import type { ConsumerDefinition } from './consumer-definition.ts';
import { domainOf, parseEnvelope, type EventEnvelope, type EventHeaders } from './envelope.ts';
import { deadLetterQueueName, exchangeName, queueName, type EventsConfig } from './events-config.ts';
import { errorMessage, handleEvent, SimulatedCrash } from './handle-event.ts';
import { eventsDeadLettered } from '../metrics.ts';
import { retryDelayMs } from './retry-policy.ts';
import type { EventPublisher, RunningConsumer } from './transport.ts';

/**
 * RabbitMQ through amqp-connection-manager (reconnects, re-declares, replays setup): a durable
 * topic exchange per domain, a durable queue per consumer bound to the types it reads, and a
 * durable dead-letter queue beside it. Messages are persistent and published on a confirm channel.
 */

const AGGREGATE_HEADER = 'x-aggregate-id';
const ATTEMPTS_HEADER = 'x-attempts';
const ERROR_HEADER = 'x-last-error';

export function connectAmqp(config: EventsConfig, name: string): AmqpConnectionManager {
  return amqp.connect([config.amqpUrl!], {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 0.5,
    connectionOptions: { clientProperties: { connection_name: `${config.prefix}.${name}` } },
  });
}

export function messageOptions(event: EventEnvelope, headers: EventHeaders): Options.Publish {
  return {
    persistent: true,
    contentType: 'application/json',
    messageId: event.id,
    type: event.type,
    timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
    headers: { ...headers, [AGGREGATE_HEADER]: event.aggregateId },
  };
}

export function createAmqpPublisher(config: EventsConfig, producer: string, logger: Logger): EventPublisher {
  const connection = connectAmqp(config, `${producer}.publisher`);
  connection.on('disconnect', ({ err }) => logger.warn({ err: err?.message }, 'RabbitMQ publisher connection lost; reconnecting'));
  const channel: ChannelWrapper = connection.createChannel({ confirm: true, publishTimeout: config.publishTimeoutMs });
  const declared = new Set<string>();
  return {
    async publish(event, headers) {
      const exchange = exchangeName(config, domainOf(event.type));
      if (!declared.has(exchange)) {
        await channel.addSetup((ch: ConfirmChannel) => ch.assertExchange(exchange, 'topic', { durable: true }));
        declared.add(exchange);
      }
      // Resolves on the broker's confirm (the message is on disk in every bound durable queue).
      await channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), {
        ...messageOptions(event, headers),
        timeout: config.publishTimeoutMs,
      });
    },
    async close() {
      await channel.close();
      await connection.close();
    },
  };
}

/** Declares the consumer's exchanges, queue, bindings and dead-letter queue (idempotent). */
export async function declareAmqpQueue(ch: ConfirmChannel, config: EventsConfig, def: Pick<ConsumerDefinition, 'name' | 'reads'>): Promise<void> {
  const queue = queueName(config, def.name);
  await ch.assertQueue(queue, { durable: true });
  await ch.assertQueue(deadLetterQueueName(config, def.name), { durable: true });
  for (const type of new Set(def.reads.map((r) => r.type))) {
    const exchange = exchangeName(config, domainOf(type));
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.bindQueue(queue, exchange, type);
  }
}

const confirmed = (ch: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish) =>
  new Promise<void>((resolve, reject) => {
    ch.sendToQueue(queue, content, options, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Consumes the consumer's queue. Events of one aggregate are handled one after another in queue
 * order; different aggregates run side by side (up to `prefetch`). A failure is retried here with
 * backoff while the message stays unacknowledged (so order holds), and after `maxAttempts` it is
 * published to the dead-letter queue (confirmed) and only then acknowledged. Anything that stops
 * the consumer before the ack (a crash, a dropped connection) leaves the message with the broker,
 * which delivers it again; the inbox makes the second delivery a no-op.
 */
export function startAmqpConsumer(def: ConsumerDefinition, config: EventsConfig, logger: Logger): RunningConsumer {
  let stopped = false;
  let connection: AmqpConnectionManager | undefined;
  let wrapper: ChannelWrapper | undefined;
  const chains = new Map<string, Promise<void>>();
  let current: ConfirmChannel | undefined;

  const ack = (ch: ConfirmChannel, msg: ConsumeMessage) => {
    // A message from a channel that has since closed is already back with the broker.
    if (ch !== current) return;
    try {
      ch.ack(msg);
    } catch {
      /* channel closed under us: the broker redelivers */
    }
  };

  const process = async (ch: ConfirmChannel, msg: ConsumeMessage) => {
    let event: EventEnvelope;
    try {
      event = parseEnvelope(JSON.parse(msg.content.toString('utf8')));
    } catch (err) {
      await deadLetter(ch, msg, 1, `unreadable message: ${errorMessage(err)}`, 'unknown');
      return;
    }
    const headers: EventHeaders = Object.fromEntries(
      Object.entries(msg.properties.headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    let lastError = '';
    for (let attempt = 1; attempt <= config.retry.maxAttempts; attempt += 1) {
      if (stopped || ch !== current) return;
      try {
        await handleEvent(def, config, logger, event, headers);
        ack(ch, msg);
        return;
      } catch (err) {
        if (err instanceof SimulatedCrash) {
          crash();
          return;
        }
        lastError = errorMessage(err);
        logger.warn({ eventId: event.id, type: event.type, attempt, err: lastError }, 'event failed');
        if (attempt < config.retry.maxAttempts) await sleep(retryDelayMs(config.retry, attempt));
      }
    }
    await deadLetter(ch, msg, config.retry.maxAttempts, lastError, event.type);
    logger.error({ eventId: event.id, type: event.type, err: lastError }, 'event dead-lettered');
  };

  const deadLetter = async (ch: ConfirmChannel, msg: ConsumeMessage, attempts: number, lastError: string, type: string) => {
    if (ch !== current) return;
    try {
      await confirmed(ch, deadLetterQueueName(config, def.name), msg.content, {
        ...msg.properties,
        persistent: true,
        headers: { ...msg.properties.headers, [ATTEMPTS_HEADER]: attempts, [ERROR_HEADER]: lastError },
      });
      eventsDeadLettered.inc({ consumer: def.name, type });
      ack(ch, msg);
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'dead-lettering failed; the broker will redeliver');
    }
  };

  const onMessage = (ch: ConfirmChannel, msg: ConsumeMessage | null) => {
    if (!msg) return;
    const aggregate = String(msg.properties.headers?.[AGGREGATE_HEADER] ?? msg.properties.messageId ?? '');
    const next = (chains.get(aggregate) ?? Promise.resolve())
      .then(() => process(ch, msg))
      .catch((err: unknown) => logger.error({ err }, 'event handling failed'));
    chains.set(aggregate, next);
    void next.finally(() => {
      if (chains.get(aggregate) === next) chains.delete(aggregate);
    });
  };

  const connect = () => {
    connection = connectAmqp(config, `${def.name}.consumer`);
    connection.on('disconnect', ({ err }) => {
      current = undefined;
      if (!stopped) logger.warn({ err: err?.message }, 'RabbitMQ consumer connection lost; reconnecting');
    });
    wrapper = connection.createChannel({
      confirm: true,
      setup: async (ch: ConfirmChannel) => {
        current = ch;
        ch.on('close', () => {
          if (current === ch) current = undefined;
        });
        await declareAmqpQueue(ch, config, def);
        await ch.prefetch(config.prefetch);
        await ch.consume(queueName(config, def.name), (msg) => onMessage(ch, msg));
      },
    });
    return wrapper.waitForConnect();
  };

  /** As if the process died: the connection goes without acking, then a fresh one starts (a restart). */
  const crash = () => {
    const dying = connection;
    current = undefined;
    void (async () => {
      await dying?.close().catch(() => {});
      if (!stopped) await connect();
    })();
  };

  const ready = connect();
  return {
    ready,
    async stop() {
      stopped = true;
      // Handlers in flight finish (or give up before their next attempt) before the db closes.
      await Promise.allSettled([...chains.values()]);
      current = undefined;
      await wrapper?.close().catch(() => {});
      await connection?.close().catch(() => {});
    },
  };
}
