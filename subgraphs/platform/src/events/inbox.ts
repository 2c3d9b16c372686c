import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';
import type { Db } from '../db.ts';
import type { EventEnvelope } from './envelope.ts';

/**
 * The consumer's record of events it has applied, in its own schema. The row is written in the
 * same transaction as the effect, so an event redelivered after a crash (effect committed, ack
 * lost) finds its row and changes nothing.
 */
export function inboxTable(schema: PgSchema) {
  return schema.table('inbox', {
    eventId: text('event_id').primaryKey(),
    type: text('type').notNull(),
    version: integer('version').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }).notNull(),
  });
}

/**
 * The producer's side: events written in the same transaction as the state change they record;
 * the relay publishes them oldest first and marks each only after the broker confirmed it.
 */
export function outboxTable(schema: PgSchema) {
  return schema.table(
    'outbox',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      eventId: text('event_id').notNull().unique(),
      aggregateId: text('aggregate_id').notNull(),
      type: text('type').notNull(),
      version: integer('version').notNull(),
      payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
      /** Trace context of the request that caused the event. */
      headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
      createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
      publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
      attempts: integer('attempts').notNull().default(0),
      lastError: text('last_error'),
    },
    (t) => [
      index('outbox_unpublished_idx')
        .on(t.id)
        .where(sql`${t.publishedAt} is null`),
    ],
  );
}

export type InboxTable = ReturnType<typeof inboxTable>;
type AnyDb = Db<Record<string, unknown>>;
export type InboxTx = Parameters<Parameters<AnyDb['transaction']>[0]>[0];
export type ApplyOutcome = 'applied' | 'duplicate';

/** Runs `effect` and records the event in the inbox in one transaction, unless it was applied before. */
export async function applyOnce(db: AnyDb, inbox: InboxTable, event: EventEnvelope, effect: (tx: InboxTx) => Promise<void>): Promise<ApplyOutcome> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(inbox)
      .values({ eventId: event.id, type: event.type, version: event.version, aggregateId: event.aggregateId, processedAt: new Date() })
      .onConflictDoNothing()
      .returning({ eventId: inbox.eventId });
    if (claimed.length === 0) return 'duplicate';
    await effect(tx);
    return 'applied';
  });
}
