import type { Logger } from '../logger.ts';
import { gaugeFromReader, outboxBacklogAge } from '../metrics.ts';
import { every } from '../periodic.ts';
import type { ConsumerDefinition } from './consumer-definition.ts';
import { createEventPublisher, startEventConsumer } from './event-transport.ts';
import type { EventsConfig } from './events-config.ts';
import { relayOutboxEvents, type OutboxEntry, type OutboxStore } from './outbox-relay.ts';
import type { RunningConsumer } from './transport.ts';

interface EventDeps {
  config: { events?: EventsConfig };
  logger: Logger;
}

/** A subgraph's consumer as background work; nothing runs when the subgraph was booted without events. */
export function consumeEvents(deps: EventDeps, def: ConsumerDefinition): RunningConsumer {
  if (!deps.config.events) return { ready: Promise.resolve(), stop: async () => {} };
  return startEventConsumer(def, deps.config.events, deps.logger);
}

export interface RelayOptions {
  producer: string;
  store: OutboxStore;
  intervalMs: number;
  batchSize: number;
  beforePublish?: (entry: OutboxEntry) => Promise<void>;
}

/**
 * A subgraph's outbox relay as background work; without events config rows are only marked sent.
 * Its backlog age is read from the outbox at scrape time, so a relay that has stalled shows it.
 */
export function relayEvents(deps: EventDeps, options: RelayOptions): { stop(): Promise<void> } {
  const publisher = deps.config.events ? createEventPublisher(deps.config.events, options.producer, deps.logger) : undefined;
  const state = { batchSize: options.batchSize, lastTried: new Map<number, number>() };
  const loop = every(options.intervalMs, `${options.producer} outbox relay`, deps.logger, async () => {
    await relayOutboxEvents({ ...options, publisher, logger: deps.logger }, state);
  });
  const stopGauge = gaugeFromReader(
    outboxBacklogAge,
    async () => {
      const [oldest] = await options.store.unpublished(1);
      return oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0;
    },
    { producer: options.producer },
  );
  return {
    async stop() {
      stopGauge();
      await loop.stop();
      await publisher?.close();
    },
  };
}
