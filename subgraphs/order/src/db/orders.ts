import { and, asc, desc, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '@ecom/platform/db';
import * as schema from './schema.ts';
import { orderLines, orders, type OrderLineRow, type OrderRow, type OrderStatus } from './schema.ts';

/** The order subgraph's database, or a transaction on it. */
export type OrderDb = Db<typeof schema>;

export const ordersByIds = (db: OrderDb, ids: readonly string[]) =>
  db
    .select()
    .from(orders)
    .where(inArray(orders.id, [...ids]));

export const linesByOrderIds = (db: OrderDb, ids: readonly string[]) =>
  db
    .select()
    .from(orderLines)
    .where(inArray(orderLines.orderId, [...ids]))
    .orderBy(asc(orderLines.orderId), asc(orderLines.position));

export async function orderById(db: OrderDb, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  return row;
}

/** False when the order already exists: another attempt of the same saga created it first. */
export async function insertOrder(db: OrderDb, row: OrderRow, lines: OrderLineRow[]): Promise<boolean> {
  const inserted = await db.insert(orders).values(row).onConflictDoNothing().returning({ id: orders.id });
  if (inserted.length === 0) return false;
  if (lines.length > 0) await db.insert(orderLines).values(lines);
  return true;
}

/** Newest first; `after` is the (createdAt, id) of the last order of the previous page. */
export const ordersPage = (db: OrderDb, userId: string, limit: number, after?: { createdAt: Date; id: string }) =>
  db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.userId, userId),
        after ? sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id})` : undefined,
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit);

export type OrderTransition = Partial<
  Pick<OrderRow, 'reservationExpiresAt' | 'paidAt' | 'cancelledAt' | 'expiredAt' | 'cancelReason' | 'cancelRequestedAt' | 'cancelledBy'>
> & {
  status: OrderStatus;
};

/**
 * Moves an order only from the expected status: of a racing pay, cancel and expiry exactly one
 * applies; the others see false and re-read.
 */
export async function transitionOrder(db: OrderDb, id: string, from: OrderStatus, change: OrderTransition): Promise<OrderRow | undefined> {
  const [row] = await db
    .update(orders)
    .set(change)
    .where(and(eq(orders.id, id), eq(orders.status, from)))
    .returning();
  return row;
}

/** Unpaid orders whose reservation ran out, oldest first. */
export async function expiredUnpaidOrders(db: OrderDb, now: Date, limit: number): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'PENDING_PAYMENT'), lt(orders.reservationExpiresAt, now)))
    .orderBy(asc(orders.reservationExpiresAt))
    .limit(limit);
}

/** Marks a paid order's cancellation as started (keeping the first mark); undefined if it is not PAID. */
export async function markCancelRequested(db: OrderDb, id: string, now: Date, reason: string | null, by: string): Promise<OrderRow | undefined> {
  const [row] = await db
    .update(orders)
    .set({
      cancelRequestedAt: sql`coalesce(${orders.cancelRequestedAt}, ${now.toISOString()}::timestamptz)`,
      cancelledBy: sql`coalesce(${orders.cancelledBy}, ${by})`,
      cancelReason: reason,
    })
    .where(and(eq(orders.id, id), eq(orders.status, 'PAID')))
    .returning();
  return row;
}

/** Paid orders whose cancellation started before `before` and never finished. */
export async function stalledCancellations(db: OrderDb, before: Date, limit: number): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'PAID'), isNotNull(orders.cancelRequestedAt), lt(orders.cancelRequestedAt, before)))
    .orderBy(asc(orders.cancelRequestedAt))
    .limit(limit);
}
