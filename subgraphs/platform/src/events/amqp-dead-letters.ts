import amqplib from 'amqplib';
import { deadLetterQueueName, queueName, type EventsConfig } from './events-config.ts';
import type { DeadLetter } from './transport.ts';

async function withChannel<T>(config: EventsConfig, fn: (ch: amqplib.ConfirmChannel) => Promise<T>): Promise<T> {
  const connection = await amqplib.connect(config.amqpUrl!, { clientProperties: { connection_name: `${config.prefix}.operator` } });
  try {
    const ch = await connection.createConfirmChannel();
    return await fn(ch);
  } finally {
    await connection.close();
  }
}

const headerText = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? null;
};

/** Reads every dead letter without removing one (they are returned to the queue unchanged). */
export function listAmqpDeadLetters(config: EventsConfig, consumer: string): Promise<DeadLetter[]> {
  return withChannel(config, async (ch) => {
    const letters: DeadLetter[] = [];
    const queue = deadLetterQueueName(config, consumer);
    await ch.assertQueue(queue, { durable: true });
    for (;;) {
      const msg = await ch.get(queue, { noAck: false });
      if (!msg) break;
      const event = JSON.parse(msg.content.toString('utf8')) as { id?: string; type?: string; aggregateId?: string };
      const headers = msg.properties.headers ?? {};
      letters.push({
        id: String(event.id ?? msg.properties.messageId),
        type: String(event.type ?? msg.properties.type),
        aggregateId: String(event.aggregateId ?? ''),
        attempts: Number(headers['x-attempts'] ?? 0),
        lastError: headerText(headers['x-last-error']),
      });
    }
    // Closing the channel returns every unacknowledged message to the dead-letter queue.
    await ch.close();
    return letters;
  });
}

/** Moves every dead letter back onto the consumer's queue (confirmed before it leaves the DLQ); returns how many. */
export function replayAmqpDeadLetters(config: EventsConfig, consumer: string): Promise<number> {
  return withChannel(config, async (ch) => {
    const from = deadLetterQueueName(config, consumer);
    const to = queueName(config, consumer);
    await ch.assertQueue(from, { durable: true });
    await ch.assertQueue(to, { durable: true });
    let moved = 0;
    for (;;) {
      const msg = await ch.get(from, { noAck: false });
      if (!msg) break;
      const { 'x-attempts': _attempts, 'x-last-error': _error, ...headers } = msg.properties.headers ?? {};
      ch.sendToQueue(to, msg.content, { ...msg.properties, persistent: true, headers });
      await ch.waitForConfirms();
      ch.ack(msg);
      moved += 1;
    }
    return moved;
  });
}
