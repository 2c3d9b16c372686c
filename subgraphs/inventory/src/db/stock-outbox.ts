import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { currentTraceHeaders } from '@ecom/platform/events/trace-context';
import { STOCK_EVENT_VERSIONS, stockCrossing } from '../events/stock-events.ts';
import { outbox, stockLevels, type MovementKind } from './schema.ts';
import type { Executor, Movement } from './stock.ts';

/** How each movement changes the units available (on hand minus reserved). */
const AVAILABLE_CHANGE: Record<MovementKind, (quantity: number) => number> = {
  RECEIVED: (q) => q,
  ADJUSTED: (q) => q,
  RESERVED: (q) => -q,
  RELEASED: (q) => q,
  SOLD: () => 0,
  RESTOCKED: (q) => q,
};

/**
 * Called with the movements just recorded, in their transaction (after the stock rows changed):
 * each variant whose available units crossed into LOW_STOCK or OUT_OF_STOCK gets its event in the
 * outbox, committed with the change or not at all.
 */
export async function appendStockCrossings(db: Executor, movements: Movement[]): Promise<void> {
  const change = new Map<string, number>();
  for (const m of movements) change.set(m.variantId, (change.get(m.variantId) ?? 0) + AVAILABLE_CHANGE[m.kind](m.quantity));
  const moved = [...change].filter(([, d]) => d !== 0).map(([id]) => id);
  if (moved.length === 0) return;
  const rows = await db.select().from(stockLevels).where(inArray(stockLevels.variantId, moved));
  const now = new Date();
  const headers = currentTraceHeaders();
  for (const row of rows) {
    const after = row.onHand - row.reserved;
    const type = stockCrossing(after - change.get(row.variantId)!, after);
    if (!type) continue;
    const payload =
      type === 'stock.low'
        ? { variantId: row.variantId, productId: row.productId, available: after }
        : { variantId: row.variantId, productId: row.productId };
    await db
      .insert(outbox)
      .values({ eventId: randomUUID(), aggregateId: row.variantId, type, version: STOCK_EVENT_VERSIONS[type], payload, headers, createdAt: now });
  }
}
