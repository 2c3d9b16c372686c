import type { Logger } from '../logger.ts';
import { listAmqpDeadLetters, replayAmqpDeadLetters } from './amqp-dead-letters.ts';
import { createAmqpPublisher, startAmqpConsumer } from './amqp-transport.ts';
import type { ConsumerDefinition } from './consumer-definition.ts';
import type { EventsConfig } from './events-config.ts';
import { createSpoolPublisher, listSpoolDeadLetters, replaySpoolDeadLetters, startSpoolConsumer } from './spool-transport.ts';
import type { DeadLetter, EventPublisher, RunningConsumer } from './transport.ts';

/** RabbitMQ when `amqpUrl` is set, the local spool otherwise: the one switch between the two. */
export const createEventPublisher = (config: EventsConfig, producer: string, logger: Logger): EventPublisher =>
  config.amqpUrl ? createAmqpPublisher(config, producer, logger) : createSpoolPublisher(config);

export const startEventConsumer = (def: ConsumerDefinition, config: EventsConfig, logger: Logger): RunningConsumer =>
  config.amqpUrl ? startAmqpConsumer(def, config, logger) : startSpoolConsumer(def, config, logger);

export const listDeadLetters = (config: EventsConfig, consumer: string): Promise<DeadLetter[]> =>
  config.amqpUrl ? listAmqpDeadLetters(config, consumer) : listSpoolDeadLetters(config, consumer);

export const replayDeadLetters = (config: EventsConfig, consumer: string): Promise<number> =>
  config.amqpUrl ? replayAmqpDeadLetters(config, consumer) : replaySpoolDeadLetters(config, consumer);
