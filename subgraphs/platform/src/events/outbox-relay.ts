import type { Logger } from '../logger.ts';
import type { EventEnvelope, EventHeaders } from './envelope.ts';
import { errorMessage } from './handle-event.ts';
import { eventPublishFailures, eventsPublished } from '../metrics.ts';
import type { EventPublisher } from './transport.ts';

/** One outbox row as the relay sees it, whatever the producer's table looks like. */
export interface OutboxEntry {
  id: number;
  eventId: string;
  aggregateId: string;
  type: string;
  version: number;
  payload: Record<string, unknown>;
  headers: EventHeaders;
  createdAt: Date;
  attempts: number;
}

/** The producer's outbox, behind its own db functions. */
export interface OutboxStore {
  /** Unpublished rows, oldest first. */
  unpublished(limit: number): Promise<OutboxEntry[]>;
  /** False when another relay published it first. */
  markPublished(id: number, now: Date): Promise<boolean>;
  recordFailure(id: number, error: string): Promise<void>;
}

export interface RelayDeps {
  producer: string;
  store: OutboxStore;
  /** Undefined: events are not published anywhere (a test that does not need them); rows are only marked. */
  publisher: EventPublisher | undefined;
  logger: Logger;
  /** Work that must happen for an event before it counts as sent (the order's cart hand-off). */
  beforePublish?: (entry: OutboxEntry) => Promise<void>;
}

export interface RelayState {
  batchSize: number;
  /** When each failing row was last tried (in process: a restarted relay tries at once). */
  lastTried: Map<number, number>;
}

export const toEnvelope = (entry: OutboxEntry): EventEnvelope => ({
  id: entry.eventId,
  type: entry.type,
  version: entry.version,
  occurredAt: entry.createdAt.toISOString(),
  aggregateId: entry.aggregateId,
  payload: entry.payload,
});

/** After a failure a row waits 2^attempts seconds (at most a minute) before the next try. */
const backoffMs = (attempts: number) => Math.min(60_000, 1_000 * 2 ** Math.max(0, attempts - 1));

/**
 * Publishes the outbox oldest first and marks a row sent only once the publisher resolved (the
 * broker's confirm). Aggregates are published side by side, each one's rows one after another; a
 * row that fails stops its aggregate for this run (and backs off), so each aggregate's events go out
 * in the order they happened while the others keep flowing.
 */
export async function relayOutboxEvents(deps: RelayDeps, state: RelayState, now = new Date()): Promise<number> {
  let published = 0;
  const rows = await deps.store.unpublished(state.batchSize);
  const byAggregate = new Map<string, OutboxEntry[]>();
  for (const row of rows) byAggregate.set(row.aggregateId, [...(byAggregate.get(row.aggregateId) ?? []), row]);

  const relayAggregate = async (group: OutboxEntry[]) => {
    for (const row of group) {
      const tried = state.lastTried.get(row.id);
      if (row.attempts > 0 && tried !== undefined && now.getTime() - tried < backoffMs(row.attempts)) return;
      try {
        await deps.beforePublish?.(row);
        await deps.publisher?.publish(toEnvelope(row), row.headers);
        if (await deps.store.markPublished(row.id, new Date())) {
          published += 1;
          state.lastTried.delete(row.id);
          eventsPublished.inc({ producer: deps.producer, type: row.type });
          deps.logger.debug({ eventId: row.eventId, type: row.type, aggregateId: row.aggregateId }, `published ${row.type}`);
        }
      } catch (err) {
        state.lastTried.set(row.id, now.getTime());
        await deps.store.recordFailure(row.id, errorMessage(err));
        eventPublishFailures.inc({ producer: deps.producer, type: row.type });
        deps.logger.warn(
          { err: errorMessage(err), eventId: row.eventId, type: row.type, attempts: row.attempts + 1 },
          'outbox event not published; will retry',
        );
        return;
      }
    }
  };
  await Promise.all([...byAggregate.values()].map(relayAggregate));
  return published;
}
