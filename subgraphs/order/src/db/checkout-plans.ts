import { asc, eq, lt, sql } from 'drizzle-orm';
import type { OrderDb } from './orders.ts';
import { checkoutPlans, orders, type CheckoutPlanRow } from './schema.ts';

/** Inserts the plan unless one exists; either way answers the plan that holds for the order. */
async function claimPlan(db: OrderDb, row: CheckoutPlanRow): Promise<CheckoutPlanRow> {
  const inserted = await db.insert(checkoutPlans).values(row).onConflictDoNothing().returning();
  if (inserted[0]) return inserted[0];
  const [existing] = await db.select().from(checkoutPlans).where(eq(checkoutPlans.orderId, row.orderId));
  return existing ?? row;
}

/**
 * Claims the plan unless its user already holds `maxPending` orders awaiting payment, counting the
 * plans of checkouts still in flight (each becomes such an order, or is dropped with nothing
 * reserved). Checkouts of one user take a per-user advisory lock, so concurrent ones cannot both
 * pass the count; an order replaces its plan in one transaction, so counted in one snapshot the sum
 * never dips meanwhile.
 */
export async function claimPlanWithinLimit(db: OrderDb, row: CheckoutPlanRow, maxPending: number): Promise<CheckoutPlanRow | 'limit'> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('order.pending'), hashtext(${row.userId}))`);
    const existing = await planOf(tx, row.orderId);
    if (existing) return existing;
    // One statement, so one snapshot: an order that replaces its plan meanwhile is counted once, never zero times.
    const [counted] = await tx
      .select({
        pending: sql<number>`(select count(*) from ${orders} where ${orders.userId} = ${row.userId} and ${orders.status} = 'PENDING_PAYMENT')
          + (select count(*) from ${checkoutPlans} where ${checkoutPlans.userId} = ${row.userId})`.mapWith(Number),
      })
      .from(sql`(select 1) as one`);
    return counted!.pending >= maxPending ? 'limit' : claimPlan(tx, row);
  });
}

export async function planOf(db: OrderDb, orderId: string): Promise<CheckoutPlanRow | undefined> {
  const [row] = await db.select().from(checkoutPlans).where(eq(checkoutPlans.orderId, orderId));
  return row;
}

export async function deletePlan(db: OrderDb, orderId: string) {
  await db.delete(checkoutPlans).where(eq(checkoutPlans.orderId, orderId));
}

/** Plans of attempts that never created their order and whose reservation has run out. */
export const abandonedPlans = (db: OrderDb, now: Date, limit: number): Promise<CheckoutPlanRow[]> =>
  db.select().from(checkoutPlans).where(lt(checkoutPlans.reservationExpiresAt, now)).orderBy(asc(checkoutPlans.reservationExpiresAt)).limit(limit);
