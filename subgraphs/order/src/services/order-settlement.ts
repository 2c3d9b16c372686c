import { appendEvent } from '../db/outbox.ts';
import { linesByOrderIds, orderById, transitionOrder, type OrderDb } from '../db/orders.ts';
import { approvedPayment, insertPayment } from '../db/payments.ts';
import type { OrderRow } from '../db/schema.ts';

/**
 * The local ends of the sagas, shared by the sagas themselves and by the sweeper that finishes what
 * a crashed saga left behind. Each is one transaction guarded by the order's current status, so of
 * two racing finishers exactly one applies. `within` adds the caller's own writes (storing the
 * idempotent result) to the same transaction.
 */
type Within = (tx: OrderDb, row: OrderRow) => Promise<void>;

/** PENDING_PAYMENT -> PAID once the stock is sold. Undefined when the order was not awaiting payment. */
export async function markPaid(db: OrderDb, orderId: string, now: Date, within?: Within): Promise<OrderRow | undefined> {
  return db.transaction(async (tx) => {
    const row = await transitionOrder(tx, orderId, 'PENDING_PAYMENT', { status: 'PAID', paidAt: now, reservationExpiresAt: null });
    if (!row) return undefined;
    const charge = await approvedPayment(tx, orderId, 'CHARGE');
    const lines = (await linesByOrderIds(tx, [orderId])).map((l) => ({ variantId: l.variantId, quantity: l.quantity }));
    await appendEvent(
      tx,
      orderId,
      'order.paid',
      { orderId, userId: row.userId, paymentId: charge?.id ?? null, total: row.total, currency: row.currency, lines, couponCode: row.couponCode },
      now,
    );
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

/** Gives an approved charge back (at most one refund per order, whoever asks). False when nothing was charged. */
export async function refundIfCharged(db: OrderDb, orderId: string, now: Date): Promise<boolean> {
  const charge = await approvedPayment(db, orderId, 'CHARGE');
  if (!charge) return false;
  await insertPayment(db, {
    id: `ref_${orderId}`,
    orderId,
    kind: 'REFUND',
    status: 'APPROVED',
    amount: charge.amount,
    currency: charge.currency,
    providerRef: `sim_ref_${orderId}`,
    createdAt: now,
  });
  return true;
}

/**
 * -> CANCELLED once the stock is back (released or restocked). An unpaid order may still carry a
 * charge whose payment lost the race to the release: it is refunded here. `by` names the request
 * that cancels an unpaid order (a paid one was claimed by markCancelRequested already).
 */
export async function markCancelled(
  db: OrderDb,
  order: OrderRow,
  from: 'PENDING_PAYMENT' | 'PAID',
  now: Date,
  reason: string | null,
  by: string | null,
  within?: Within,
): Promise<OrderRow | undefined> {
  return db.transaction(async (tx) => {
    const row = await transitionOrder(tx, order.id, from, {
      status: 'CANCELLED',
      cancelledAt: now,
      reservationExpiresAt: null,
      cancelReason: reason,
      ...(from === 'PENDING_PAYMENT' && by ? { cancelledBy: by } : {}),
    });
    if (!row) return undefined;
    const refunded = await refundIfCharged(tx, order.id, now);
    await appendEvent(tx, order.id, 'order.cancelled', { orderId: order.id, userId: row.userId, from, reason: row.cancelReason, refunded }, now);
    await within?.(tx, row);
    return row;
  });
}

/** PENDING_PAYMENT -> EXPIRED once the reservation is released; a charge that lost the race is refunded. */
export async function markExpired(db: OrderDb, order: OrderRow, now: Date): Promise<OrderRow | undefined> {
  return db.transaction(async (tx) => {
    const row = await transitionOrder(tx, order.id, 'PENDING_PAYMENT', { status: 'EXPIRED', expiredAt: now, reservationExpiresAt: null });
    if (!row) return undefined;
    const refunded = await refundIfCharged(tx, order.id, now);
    await appendEvent(tx, order.id, 'order.expired', { orderId: order.id, userId: row.userId, refunded }, now);
    return row;
  });
}
