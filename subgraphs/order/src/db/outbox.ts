import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { currentTraceHeaders } from '@ecom/platform/events/trace-context';
import { ORDER_EVENT_VERSIONS } from '../events/order-events.ts';
import type { OrderEventPayloads, OrderEventType } from './json-columns.ts';
import type { OrderDb } from './orders.ts';
import { outbox, type OutboxRow } from './schema.ts';

export type { OrderEventType };

/** The envelope's id, version and the trace context of the request are fixed when the event is written. */
export async function appendEvent<T extends OrderEventType>(db: OrderDb, aggregateId: string, type: T, payload: OrderEventPayloads[T], now: Date) {
  await db.insert(outbox).values({
    aggregateId,
    type,
    payload,
    createdAt: now,
    eventId: randomUUID(),
    version: ORDER_EVENT_VERSIONS[type],
    headers: currentTraceHeaders(),
  });
}

/** Oldest first: events of one order are published in the order they were written. */
export const unpublishedEvents = (db: OrderDb, limit: number): Promise<OutboxRow[]> =>
  db.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(asc(outbox.id)).limit(limit);

/** False when another relay published it first. */
export async function markPublished(db: OrderDb, id: number, now: Date): Promise<boolean> {
  const marked = await db
    .update(outbox)
    .set({ publishedAt: now, attempts: sql`${outbox.attempts} + 1`, lastError: null })
    .where(and(eq(outbox.id, id), isNull(outbox.publishedAt)))
    .returning({ id: outbox.id });
  return marked.length > 0;
}

export async function recordFailure(db: OrderDb, id: number, error: string) {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 500) })
    .where(eq(outbox.id, id));
}

export const eventsOf = (db: OrderDb, aggregateId: string): Promise<OutboxRow[]> =>
  db.select().from(outbox).where(eq(outbox.aggregateId, aggregateId)).orderBy(asc(outbox.id));
