import { domainError, fault } from '@ecom/platform/errors';
import { failpoint } from '@ecom/platform/fault-injection';
import { sagaStep } from '@ecom/platform/tracing';
import { linesByOrderIds, orderById } from '../db/orders.ts';
import { approvedPayment, insertPayment } from '../db/payments.ts';
import type { OrderRow } from '../db/schema.ts';
import type { OrderContext } from '../context.ts';
import { validatePayOrder, type PayOrderInput } from './order-input.ts';
import { markPaid, refundIfCharged } from './order-settlement.ts';
import { orderView, type OrderView } from './order-view.ts';
import { completeLease, openSaga, viewOf, type SagaStep } from './saga-support.ts';
import type { IdempotencyOutcome, Invalid, InvalidState, NotFound, PaymentDeclined, Unauthenticated } from './order-errors.ts';
import { commitStock } from './stock-calls.ts';

type Paid = OrderView | NotFound | InvalidState | PaymentDeclined;
export type PayOrderResult = Paid | Unauthenticated | Invalid | IdempotencyOutcome;

const notFound = () => domainError('NotFoundError', 'There is no such order in your account. Check the order id.');
const invalidState = (message: string) => domainError('InvalidStateError', message);

/** The simulated payment provider: a token beginning tok_decline is declined, any other approved. */
const approves = (token: string) => !token.startsWith('tok_decline');

/**
 * The charge is recorded before the stock is committed, so sold stock always has an approved charge
 * behind it: if this saga dies after the commit, whoever finds the order next can finish it as paid.
 */
export async function payOrder(ctx: OrderContext, input: PayOrderInput): Promise<PayOrderResult> {
  return openSaga(ctx, { mutation: 'payOrder', signIn: 'Sign in to pay for an order.', input, validate: validatePayOrder }, (step) =>
    runPayOrder(ctx, step, input),
  );
}

async function runPayOrder(ctx: OrderContext, { caller, userId, lease }: SagaStep, input: PayOrderInput): Promise<Paid> {
  const { db } = ctx;
  const paymentId = `pay_${lease.seed}`;
  const order = await orderById(db, input.orderId);
  if (!order || order.userId !== userId) return notFound();

  const charge = await approvedPayment(db, order.id, 'CHARGE');
  const ours = charge?.id === paymentId;
  // An earlier attempt of this key charged; if the order got paid meanwhile, that is our answer.
  if (ours && order.paidAt) return viewOf(db, order);
  if (order.status !== 'PENDING_PAYMENT') return invalidState(`This order is ${describe(order)}; only an order awaiting payment can be paid.`);

  if (!ours) {
    if (charge) return invalidState('This order is already being paid. Check the order status before paying again.');
    if (order.reservationExpiresAt && order.reservationExpiresAt.getTime() <= Date.now()) {
      return invalidState('The time to pay for this order ran out and its items were released. Place the order again.');
    }
    const now = new Date();
    const payment = {
      id: paymentId,
      orderId: order.id,
      kind: 'CHARGE' as const,
      amount: order.total,
      currency: order.currency,
      providerRef: `sim_${lease.seed}`,
      createdAt: now,
    };
    if (!approves(input.paymentToken)) {
      const declined = domainError('PaymentDeclinedError', 'The payment was declined. Try another payment method.');
      await db.transaction(async (tx) => {
        await insertPayment(tx, { ...payment, status: 'DECLINED' });
        await completeLease(lease, tx, declined);
      });
      return declined;
    }
    if (!(await insertPayment(db, { ...payment, status: 'APPROVED' }))) {
      // Lost a race with another payment of this order (under another key).
      return invalidState('This order is already being paid. Check the order status before paying again.');
    }
    failpoint(ctx.faults, 'after-charge');
  }

  const state = await sagaStep('payOrder', 'commitStock', () => commitStock(caller, order.id));
  if (state === 'RELEASED') {
    // The reservation was released first (expiry or cancellation): give the money back.
    await refundIfCharged(db, order.id, new Date());
    return invalidState('The time to pay for this order ran out before the payment went through; the charge was refunded. Place the order again.');
  }
  if (state !== 'SOLD') throw fault('INTERNAL', 'The stock of this order is in an unexpected state. Retry later with the same key.');
  failpoint(ctx.faults, 'after-stock-commit');

  const lines = await linesByOrderIds(db, [order.id]);
  const paid = await markPaid(db, order.id, new Date(), async (tx, row) => {
    await completeLease(lease, tx, orderView(row, lines));
  });
  if (paid) {
    failpoint(ctx.faults, 'after-commit');
    return orderView(paid, lines);
  }
  // Someone settled this payment for us (cancel, sweeper) or the order moved on meanwhile.
  const current = (await orderById(db, order.id))!;
  return current.paidAt ? orderView(current, lines) : invalidState(`This order is ${describe(current)}; only an order awaiting payment can be paid.`);
}

function describe(order: OrderRow): string {
  return { PENDING_PAYMENT: 'awaiting payment', PAID: 'already paid', CANCELLED: 'cancelled', EXPIRED: 'expired' }[order.status];
}
