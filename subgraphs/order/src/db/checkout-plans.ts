import { asc, eq, lt } from 'drizzle-orm';
import type { OrderDb } from './orders.ts';
import { checkoutPlans, type CheckoutPlanRow } from './schema.ts';

/** Inserts the plan unless one exists; either way answers the plan that holds for the order. */
export async function claimPlan(db: OrderDb, row: CheckoutPlanRow): Promise<CheckoutPlanRow> {
  const inserted = await db.insert(checkoutPlans).values(row).onConflictDoNothing().returning();
  if (inserted[0]) return inserted[0];
  const [existing] = await db.select().from(checkoutPlans).where(eq(checkoutPlans.orderId, row.orderId));
  return existing ?? row;
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
