import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db.ts';
import type { outboxTable } from './inbox.ts';
import type { OutboxStore } from './outbox-relay.ts';

type OutboxTable = ReturnType<typeof outboxTable>;
type AnyDb = Db<Record<string, unknown>>;

/** The OutboxStore of a table made by `outboxTable()` (subgraphs with no outbox of their own shape). */
export function drizzleOutboxStore(db: AnyDb, table: OutboxTable): OutboxStore {
  return {
    unpublished: (limit) => db.select().from(table).where(isNull(table.publishedAt)).orderBy(asc(table.id)).limit(limit),
    async markPublished(id, now) {
      const marked = await db
        .update(table)
        .set({ publishedAt: now, attempts: sql`${table.attempts} + 1`, lastError: null })
        .where(and(eq(table.id, id), isNull(table.publishedAt)))
        .returning({ id: table.id });
      return marked.length > 0;
    },
    async recordFailure(id, error) {
      await db
        .update(table)
        .set({ attempts: sql`${table.attempts} + 1`, lastError: error.slice(0, 500) })
        .where(eq(table.id, id));
    },
  };
}
