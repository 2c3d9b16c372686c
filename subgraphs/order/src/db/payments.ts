import { and, eq } from 'drizzle-orm';
import type { OrderDb } from './orders.ts';
import { payments, type PaymentRow } from './schema.ts';

/** False when it exists, or when an approved payment of the same kind already exists for the order. */
export async function insertPayment(db: OrderDb, row: PaymentRow): Promise<boolean> {
  const inserted = await db.insert(payments).values(row).onConflictDoNothing().returning({ id: payments.id });
  return inserted.length > 0;
}

export async function approvedPayment(db: OrderDb, orderId: string, kind: PaymentRow['kind']): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), eq(payments.kind, kind), eq(payments.status, 'APPROVED')));
  return row;
}

export const paymentsOf = (db: OrderDb, orderId: string) => db.select().from(payments).where(eq(payments.orderId, orderId));
