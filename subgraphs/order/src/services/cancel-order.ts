import { domainError, fault } from '@ecom/platform/errors';
import { failpoint } from '@ecom/platform/fault-injection';
import { sagaStep } from '@ecom/platform/tracing';
import type { Lease } from '@ecom/platform/idempotency';
import { linesByOrderIds, markCancelRequested, orderById, type OrderDb } from '../db/orders.ts';
import type { OrderRow, OrderStatus } from '../db/schema.ts';
import type { OrderContext } from '../context.ts';
import { validateCancelOrder, type CancelOrderInput } from './order-input.ts';
import { markCancelled, refundIfCharged, settleCommittedPayment } from './order-settlement.ts';
import { orderView, type OrderView } from './order-view.ts';
import { completeLease, openSaga, viewOf, type SagaStep } from './saga-support.ts';
import type { IdempotencyOutcome, Invalid, InvalidState, NotFound, Unauthenticated } from './order-errors.ts';
import { releaseStock, restockOrder } from './stock-calls.ts';

type Cancelled = OrderView | NotFound | InvalidState;
export type CancelOrderResult = Cancelled | Unauthenticated | Invalid | IdempotencyOutcome;

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
 * Unpaid: the reservation is released. Paid: the refund and the intent to cancel are recorded first
 * (so a crash midway is finished by the sweeper, never left with restocked units in a paid order),
 * then the sold units are restocked. Stock moves before the status, which changes last, guarded.
 */
export async function cancelOrder(ctx: OrderContext, input: CancelOrderInput): Promise<CancelOrderResult> {
  return openSaga(ctx, { mutation: 'cancelOrder', signIn: 'Sign in to cancel an order.', input, validate: validateCancelOrder }, (step) =>
    runCancelOrder(ctx, step, input),
  );
}

async function runCancelOrder(ctx: OrderContext, { caller, userId, lease }: SagaStep, input: CancelOrderInput): Promise<Cancelled> {
  const { db } = ctx;
  const reason = input.reason ?? null;
  let order = await orderById(db, input.orderId);
  if (!order || order.userId !== userId) return notFound();
  // An earlier attempt of this request got the order cancelled (itself, or the sweeper for it).
  if (order.status === 'CANCELLED' && order.cancelledBy === lease.seed) return viewOf(db, order);

  if (order.status === 'PENDING_PAYMENT') {
    const state = await sagaStep('cancelOrder', 'releaseStock', () => releaseStock(caller, input.orderId));
    if (state !== 'SOLD') {
      failpoint(ctx.faults, 'after-stock-commit');
      return finish(ctx, lease, order, 'PENDING_PAYMENT', reason);
    }
    // A payment committed the stock first: the order is paid, so it is cancelled as a paid one.
    if (!(await settleCommittedPayment(db, order.id, new Date()))) {
      throw fault('SERVICE_UNAVAILABLE', 'A payment for this order is still being processed. Retry shortly with the same key.', { service: 'order' });
    }
    order = (await orderById(db, order.id))!;
  }
  if (order.status !== 'PAID') return notCancellable(order.status);

  const now = new Date();
  const started = await db.transaction(async (tx) => {
    const row = await markCancelRequested(tx, order.id, now, reason, lease.seed);
    if (row) await refundIfCharged(tx, order.id, now);
    return row;
  });
  if (!started) return notCancellable((await orderById(db, order.id))!.status);
  await sagaStep('cancelOrder', 'restock', () => restockOrder(caller, order.id));
  failpoint(ctx.faults, 'after-stock-commit');
  return finish(ctx, lease, started, 'PAID', reason);
}

async function finish(ctx: OrderContext, lease: Lease, order: OrderRow, from: 'PENDING_PAYMENT' | 'PAID', reason: string | null): Promise<Cancelled> {
  const db: OrderDb = ctx.db;
  const lines = await linesByOrderIds(db, [order.id]);
  const cancelled = await markCancelled(db, order, from, new Date(), reason, lease.seed, async (tx, row) => {
    await completeLease(lease, tx, orderView(row, lines));
  });
  if (cancelled) {
    failpoint(ctx.faults, 'after-commit');
    return orderView(cancelled, lines);
  }
  // A racing cancellation (or the sweeper finishing a stalled one) got there first: the order is
  // cancelled as asked. Anything else (expired, paid meanwhile) is reported as it is.
  const current = (await orderById(db, order.id))!;
  return current.status === 'CANCELLED' ? orderView(current, lines) : notCancellable(current.status);
}
