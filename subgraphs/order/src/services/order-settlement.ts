import { appendEvent } from '../db/outbox.ts';
import { orderById, transitionOrder, type OrderDb } from '../db/orders.ts';
import { approvedPayment } from '../db/payments.ts';
import type { OrderRow } from '../db/schema.ts';

/**
 * PENDING_PAYMENT -> PAID with its event, in one transaction, once the stock is sold. `within` adds
 * the caller's own writes (storing the idempotent result) to the same transaction. Undefined when the
 * order was not awaiting payment any more.
 */
export async function markPaid(
  db: OrderDb,
  orderId: string,
  now: Date,
  within?: (tx: OrderDb, row: OrderRow) => Promise<void>,
): Promise<OrderRow | undefined> {
  return db.transaction(async (tx) => {
    const row = await transitionOrder(tx, orderId, 'PENDING_PAYMENT', { status: 'PAID', paidAt: now, reservationExpiresAt: null });
    if (!row) return undefined;
    const charge = await approvedPayment(tx, orderId, 'CHARGE');
    await appendEvent(tx, orderId, 'order.paid', { orderId, userId: row.userId, paymentId: charge?.id ?? null, total: row.total, currency: row.currency }, now);
    await within?.(tx, row);
    return row;
  });
}

/**
 * A payment that died between the stock commit and marking the order paid leaves sold stock and an
 * approved charge behind: the order is paid, so whoever finds it next (cancel, the expiry sweeper)
 * finishes the job. False when there is no approved charge (the stock was not committed by us).
 */
export async function settleCommittedPayment(db: OrderDb, orderId: string, now: Date): Promise<boolean> {
  const charge = await approvedPayment(db, orderId, 'CHARGE');
  if (!charge) return false;
  await markPaid(db, orderId, now);
  const after = await orderById(db, orderId);
  return after !== undefined && after.status !== 'PENDING_PAYMENT';
}
