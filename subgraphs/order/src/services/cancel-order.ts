import { domainError, fault, type DomainErrorResult } from '@ecom/platform/errors';
import { runWithLease, type Lease } from '@ecom/platform/idempotency';
import { appendEvent } from '../db/outbox.ts';
import { linesByOrderIds, orderById, transitionOrder, type OrderDb } from '../db/orders.ts';
import { insertPayment } from '../db/payments.ts';
import { idempotencyKeys, type OrderRow, type OrderStatus } from '../db/schema.ts';
import type { OrderContext } from '../context.ts';
import { failpoint } from './failpoint.ts';
import { validateCancelOrder, type CancelOrderInput } from './order-input.ts';
import { settleCommittedPayment } from './order-settlement.ts';
import { orderView, type OrderView } from './order-view.ts';
import { completeLease, sagaFault } from './saga-support.ts';
import type { Caller } from './sibling-calls.ts';
import { releaseStock, restockOrder } from './stock-calls.ts';

export type CancelOrderResult = OrderView | DomainErrorResult;

const notFound = () => domainError('NotFoundError', 'There is no such order in your account. Check the order id.');
const notCancellable = (status: OrderStatus) =>
  domainError(
    'InvalidStateError',
    status === 'CANCELLED'
      ? 'This order is already cancelled.'
      : status === 'EXPIRED'
        ? 'This order expired and can no longer be cancelled; its items were already released.'
        : 'This order changed while it was being cancelled. Reload it and try again.',
  );

/**
 * Unpaid: the reservation is released. Paid: the sold units are restocked and the charge refunded.
 * Stock moves first (idempotent per order), the order's status last, guarded against racing changes.
 */
export async function cancelOrder(ctx: OrderContext, input: CancelOrderInput): Promise<CancelOrderResult> {
  const userId = ctx.principal.userId;
  if (!userId) return domainError('UnauthenticatedError', 'Sign in to cancel an order.');
  const invalid = validateCancelOrder(input);
  if (invalid) return invalid;
  const caller: Caller = { subgraphs: ctx.subgraphs, ctx };
  return sagaFault(() =>
    runWithLease(ctx.db, idempotencyKeys, { caller: `user:${userId}`, mutation: 'cancelOrder', key: input.idempotencyKey, input: { ...input } }, (lease) =>
      runCancelOrder(ctx, caller, userId, input, lease),
    ),
  );
}

async function runCancelOrder(ctx: OrderContext, caller: Caller, userId: string, input: CancelOrderInput, lease: Lease): Promise<CancelOrderResult> {
  const { db } = ctx;
  let order = await orderById(db, input.orderId);
  if (!order || order.userId !== userId) return notFound();

  if (order.status === 'PENDING_PAYMENT') {
    const state = await releaseStock(caller, order.id);
    if (state === 'SOLD') {
      // A payment committed the stock first: the order is paid, so it is cancelled as a paid one.
      if (!(await settleCommittedPayment(db, order.id, new Date()))) {
        throw fault('SERVICE_UNAVAILABLE', 'A payment for this order is still being processed. Retry shortly with the same key.', { service: 'order' });
      }
      order = (await orderById(db, order.id))!;
    } else {
      return finish(ctx, lease, order, 'PENDING_PAYMENT', input.reason ?? null);
    }
  }
  if (order.status === 'PAID') {
    await restockOrder(caller, order.id);
    return finish(ctx, lease, order, 'PAID', input.reason ?? null);
  }
  return notCancellable(order.status);
}

async function finish(ctx: OrderContext, lease: Lease, order: OrderRow, from: 'PENDING_PAYMENT' | 'PAID', reason: string | null): Promise<CancelOrderResult> {
  const db: OrderDb = ctx.db;
  const lines = await linesByOrderIds(db, [order.id]);
  const now = new Date();
  const cancelled = await db.transaction(async (tx) => {
    if (from === 'PAID') {
      // At most one approved refund per order (unique index), whatever races.
      await insertPayment(tx, {
        id: `ref_${order.id}`,
        orderId: order.id,
        kind: 'REFUND',
        status: 'APPROVED',
        amount: order.total,
        currency: order.currency,
        providerRef: `sim_ref_${order.id}`,
        createdAt: now,
      });
    }
    const row = await transitionOrder(tx, order.id, from, { status: 'CANCELLED', cancelledAt: now, reservationExpiresAt: null, cancelReason: reason });
    if (!row) return undefined;
    await appendEvent(tx, order.id, 'order.cancelled', { orderId: order.id, userId: row.userId, from, reason, refunded: from === 'PAID' }, now);
    await completeLease(lease, tx, orderView(row, lines));
    return row;
  });
  if (!cancelled) {
    // A racing pay, cancel or expiry moved it first.
    const current = (await orderById(db, order.id))!;
    return notCancellable(current.status);
  }
  failpoint(ctx.settings, 'after-commit');
  return orderView(cancelled, lines);
}
