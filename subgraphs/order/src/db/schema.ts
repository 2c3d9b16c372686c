import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgSchema, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { auditLogTable } from '@ecom/platform/audit';
import { idempotencyKeysTable } from '@ecom/platform/idempotency';
import type { CheckoutPlan, OrderEventPayload, OrderEventType } from './json-columns.ts';

export const order = pgSchema('order');

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'PAID', 'CANCELLED', 'EXPIRED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PAYMENT_KINDS = ['CHARGE', 'REFUND'] as const;
export const PAYMENT_STATUSES = ['APPROVED', 'DECLINED'] as const;

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export interface AddressSnapshot {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
  phone?: string | null;
}

/** Timestamps are written from the application (millisecond precision) so keyset cursors round-trip exactly. */
export const orders = order.table(
  'orders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    cartId: text('cart_id').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull(),
    shipping: integer('shipping').notNull(),
    total: integer('total').notNull(),
    /** The coupon the total was discounted with (marketing counts its redemptions from order.paid). */
    couponCode: text('coupon_code'),
    shippingAddress: jsonb('shipping_address').$type<AddressSnapshot>().notNull(),
    reservationExpiresAt: at('reservation_expires_at'),
    createdAt: at('created_at').notNull(),
    paidAt: at('paid_at'),
    cancelledAt: at('cancelled_at'),
    expiredAt: at('expired_at'),
    cancelReason: text('cancel_reason'),
    /**
     * Set (with the refund) when a paid order's cancellation starts, before its stock is restocked:
     * a PAID order with this set is a cancellation in flight, which the sweeper finishes if it stalls.
     */
    cancelRequestedAt: at('cancel_requested_at'),
    /** The cancellation request (its idempotency seed) that cancelled it, so a retry of that request recognises its own work. */
    cancelledBy: text('cancelled_by'),
  },
  (t) => [
    check('orders_status_known', sql`${t.status} in (${inList(ORDER_STATUSES)})`),
    index('orders_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('orders_expiry_idx').on(t.status, t.reservationExpiresAt),
    index('orders_cancel_requested_idx')
      .on(t.cancelRequestedAt)
      .where(sql`${t.status} = 'PAID' and ${t.cancelRequestedAt} is not null`),
  ],
);

export const orderLines = order.table(
  'order_lines',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    /** Position in the order, so lines read back in the order they were placed. */
    position: integer('position').notNull(),
    variantId: text('variant_id').notNull(),
    sku: text('sku').notNull(),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
    lineTotal: integer('line_total').notNull(),
  },
  (t) => [index('order_lines_order_idx').on(t.orderId, t.position), check('order_lines_quantity_positive', sql`${t.quantity} > 0`)],
);

export const payments = order.table(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    kind: text('kind', { enum: PAYMENT_KINDS }).notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    providerRef: text('provider_ref').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    // An order is charged at most once and refunded at most once, whatever races.
    uniqueIndex('payments_one_approved_per_kind')
      .on(t.orderId, t.kind)
      .where(sql`${t.status} = 'APPROVED'`),
    check('payments_kind_known', sql`${t.kind} in (${inList(PAYMENT_KINDS)})`),
    check('payments_status_known', sql`${t.status} in (${inList(PAYMENT_STATUSES)})`),
  ],
);

/** Events written in the same transaction as the state change they record; the relay publishes them. */
export const outbox = order.table(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    aggregateId: text('aggregate_id').notNull(),
    type: text('type').$type<OrderEventType>().notNull(),
    payload: jsonb('payload').$type<OrderEventPayload>().notNull(),
    createdAt: at('created_at').notNull(),
    publishedAt: at('published_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The envelope's id, version (of the payload schema in the registry) and trace context headers. */
    eventId: text('event_id')
      .notNull()
      .unique()
      .default(sql`gen_random_uuid()::text`),
    version: integer('version').notNull().default(1),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
  },
  (t) => [
    index('outbox_unpublished_idx')
      .on(t.id)
      .where(sql`${t.publishedAt} is null`),
  ],
);

/**
 * What a placeOrder attempt decided before reserving stock (lines, prices, cost, expiry). A retry of
 * the same key after a crash reuses it, so the order always matches the reservation it was given,
 * even if the cart changed in between. Deleted in the transaction that creates the order.
 */
export const checkoutPlans = order.table(
  'checkout_plans',
  {
    orderId: text('order_id').primaryKey(),
    userId: text('user_id').notNull(),
    plan: jsonb('plan').$type<CheckoutPlan>().notNull(),
    reservationExpiresAt: at('reservation_expires_at').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('checkout_plans_expiry_idx').on(t.reservationExpiresAt)],
);

export const idempotencyKeys = idempotencyKeysTable(order);

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type CheckoutPlanRow = typeof checkoutPlans.$inferSelect;

/** Every mutation attempt on this subgraph (platform/src/audit.ts). */
export const auditLog = auditLogTable(order);
