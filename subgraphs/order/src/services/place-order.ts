import { domainError, fault } from '@ecom/platform/errors';
import { failpoint } from '@ecom/platform/fault-injection';
import { sagaStep } from '@ecom/platform/tracing';
import { claimPlanWithinLimit, deletePlan, planOf } from '../db/checkout-plans.ts';
import { appendEvent } from '../db/outbox.ts';
import { insertOrder, orderById } from '../db/orders.ts';
import type { CheckoutPlan } from '../db/json-columns.ts';
import type { Money } from '../generated/resolvers-types.ts';
import type { CheckoutPlanRow, OrderLineRow, OrderRow } from '../db/schema.ts';
import type { OrderContext } from '../context.ts';
import { checkoutQuote, completeCheckout, type CheckoutQuote } from './cart-calls.ts';
import { variantSnapshots } from './catalog-calls.ts';
import { cartEmptiedBySaga } from './outbox-relay.ts';
import { completeLease, openSaga, viewOf, type SagaStep } from './saga-support.ts';
import type { CartEmpty, IdempotencyOutcome, Invalid, KeyReused, LimitExceeded, NotFound, PriceChanged, Unauthenticated } from './order-errors.ts';
import { addressSnapshot, validatePlaceOrder, type PlaceOrderInput } from './order-input.ts';
import { orderView, type OrderView } from './order-view.ts';
import type { Caller } from './sibling-calls.ts';
import { reserveStock, type InsufficientStock } from './stock-calls.ts';

type Placed = OrderView | NotFound | CartEmpty | PriceChanged | InsufficientStock | LimitExceeded | KeyReused;
export type PlaceOrderResult = Placed | Unauthenticated | Invalid | IdempotencyOutcome;

/**
 * The order id comes from the key's lease seed; should two callers' seeds ever meet, the second is
 * refused rather than shown the first one's order.
 */
const someoneElses = (): KeyReused =>
  domainError('IdempotencyKeyReusedError', 'This idempotency key cannot be used for this order. Place the order again with a new key.');

const sameMoney = (a: Money, b: Money): boolean => a.amount === b.amount && a.currency === b.currency;

/**
 * The checkout saga. Every step is idempotent per order id, and the order id comes from the
 * idempotency lease, so a retry after a crash at any point converges on the same single order.
 */
export async function placeOrder(ctx: OrderContext, input: PlaceOrderInput): Promise<PlaceOrderResult> {
  return openSaga(ctx, { mutation: 'placeOrder', signIn: 'Sign in to place an order.', input, validate: validatePlaceOrder }, (step) =>
    runPlaceOrder(ctx, step, input),
  );
}

async function runPlaceOrder(ctx: OrderContext, { caller, userId, lease }: SagaStep, input: PlaceOrderInput): Promise<Placed> {
  const { db } = ctx;
  const orderId = `ord_${lease.seed}`;
  const existing = await orderById(db, orderId);
  if (existing) return existing.userId === userId ? viewOf(db, existing) : someoneElses();

  let planRow = await planOf(db, orderId);
  if (planRow && planRow.userId !== userId) return someoneElses();
  if (!planRow) {
    const decided = await sagaStep('placeOrder', 'quote', () => decidePlan(caller, userId, input));
    if ('__typename' in decided) return decided;
    const now = new Date();
    const limit = ctx.settings.maxPendingOrders;
    const claimed = await claimPlanWithinLimit(
      db,
      { orderId, userId, plan: decided, reservationExpiresAt: new Date(now.getTime() + ctx.settings.reservationTtlSeconds * 1000), createdAt: now },
      limit,
    );
    if (claimed === 'limit') {
      return domainError(
        'LimitExceededError',
        `You already have ${limit} orders waiting for payment. Pay or cancel one of them before placing another.`,
        { limit },
      );
    }
    planRow = claimed;
  }
  const plan = planRow.plan;

  const reserved = await sagaStep('placeOrder', 'reserveStock', () =>
    reserveStock(caller, {
      orderId,
      lines: unitsByVariant(plan),
      expiresAt: planRow.reservationExpiresAt.toISOString(),
    }),
  );
  if ('__typename' in reserved) {
    // Nothing was reserved: forget the plan and store the answer for this key.
    await db.transaction(async (tx) => {
      await deletePlan(tx, orderId);
      await completeLease(lease, tx, reserved);
    });
    return reserved;
  }
  if (reserved.state !== 'RESERVED') {
    // The reservation of an earlier attempt of this key ran out before this retry.
    throw fault('INTERNAL', 'This checkout attempt expired before it completed. Place the order again with a new idempotency key.', {
      retryable: false,
    });
  }
  failpoint(ctx.faults, 'after-reserve');

  const { row, lines } = orderFromPlan(orderId, userId, input, planRow, new Date());
  const view = orderView(row, lines);
  const created = await sagaStep('placeOrder', 'createOrder', () =>
    db.transaction(async (tx) => {
      if (!(await insertOrder(tx, row, lines))) return false;
      await appendEvent(
        tx,
        orderId,
        'order.placed',
        {
          orderId,
          userId,
          cartId: plan.cartId,
          lines: plan.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
          total: plan.total,
          currency: plan.currency,
        },
        row.createdAt,
      );
      await deletePlan(tx, orderId);
      await completeLease(lease, tx, view);
      return true;
    }),
  );
  // Another execution of this key (one that outlived its lease) created it first: answer that one.
  if (!created) {
    const first = (await orderById(db, orderId))!;
    return first.userId === userId ? viewOf(db, first) : someoneElses();
  }
  failpoint(ctx.faults, 'after-commit');

  // Best effort here; the outbox relay repeats it until the cart confirms, unless this call did.
  await sagaStep('placeOrder', 'completeCheckout', () =>
    completeCheckout(caller, { cartId: plan.cartId, orderId, lines: plan.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) }),
  ).then(
    () => cartEmptiedBySaga(db, orderId),
    (err: unknown) => ctx.logger.warn({ err, orderId }, 'completeCheckout failed; the outbox relay will retry it'),
  );
  return view;
}

async function decidePlan(caller: Caller, userId: string, input: PlaceOrderInput): Promise<CheckoutPlan | NotFound | CartEmpty | PriceChanged> {
  const quote = await checkoutQuote(caller, input.cartId);
  // An anonymous cart's id is its credential; a user's cart is only its owner's.
  if (!quote || (quote.ownerId !== null && quote.ownerId !== userId)) {
    return domainError('NotFoundError', 'That cart does not exist or is not yours. Check the cart id.');
  }
  if (quote.lines.length === 0) {
    return domainError(
      'CartEmptyError',
      quote.unpricedLineIds.length > 0
        ? 'Nothing in your cart can be bought right now. Remove the unavailable items or add others, then try again.'
        : 'Your cart is empty. Add something before placing an order.',
    );
  }
  const expected = input.expectedTotal;
  if (expected && !sameMoney(expected, quote.cost.total)) {
    return domainError('PriceChangedError', 'The total changed since you last saw it. Review the new total and place the order again.', {
      expectedTotal: { amount: expected.amount, currency: expected.currency },
      actualTotal: quote.cost.total,
    });
  }
  const snapshots = await variantSnapshots(
    caller,
    quote.lines.map((l) => l.variantId),
  );
  const missing = quote.lines.find((l) => !snapshots.has(l.variantId));
  if (missing) {
    return domainError('NotFoundError', 'A product in your cart is no longer sold. Remove it from the cart and try again.');
  }
  return planFromQuote(quote, snapshots);
}

function planFromQuote(quote: CheckoutQuote, snapshots: Map<string, { sku: string; title: string }>): CheckoutPlan {
  return {
    cartId: quote.cartId,
    currency: quote.cost.total.currency,
    subtotal: quote.cost.subtotal.amount,
    discount: quote.cost.discount.amount,
    shipping: quote.cost.shipping.amount,
    total: quote.cost.total.amount,
    couponCode: quote.couponCode,
    lines: quote.lines.map((l) => ({
      lineId: l.lineId,
      variantId: l.variantId,
      sku: snapshots.get(l.variantId)!.sku,
      title: snapshots.get(l.variantId)!.title,
      quantity: l.quantity,
      unitPrice: l.unitPrice.amount,
      lineTotal: l.lineTotal.amount,
    })),
  };
}

function unitsByVariant(plan: CheckoutPlan): { variantId: string; quantity: number }[] {
  const units = new Map<string, number>();
  for (const l of plan.lines) units.set(l.variantId, (units.get(l.variantId) ?? 0) + l.quantity);
  return [...units].map(([variantId, quantity]) => ({ variantId, quantity }));
}

function orderFromPlan(orderId: string, userId: string, input: PlaceOrderInput, planRow: CheckoutPlanRow, now: Date) {
  const plan = planRow.plan;
  const row: OrderRow = {
    id: orderId,
    userId,
    cartId: plan.cartId,
    status: 'PENDING_PAYMENT',
    currency: plan.currency,
    subtotal: plan.subtotal,
    discount: plan.discount,
    shipping: plan.shipping,
    total: plan.total,
    couponCode: plan.couponCode ?? null,
    shippingAddress: addressSnapshot(input.shippingAddress),
    reservationExpiresAt: planRow.reservationExpiresAt,
    createdAt: now,
    paidAt: null,
    cancelledAt: null,
    expiredAt: null,
    cancelReason: null,
    cancelRequestedAt: null,
    cancelledBy: null,
  };
  const lines: OrderLineRow[] = plan.lines.map((l, i) => ({
    id: `${orderId.replace(/^ord_/, 'oln_')}_${i + 1}`,
    orderId,
    position: i + 1,
    variantId: l.variantId,
    sku: l.sku,
    title: l.title,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    lineTotal: l.lineTotal,
  }));
  return { row, lines };
}
