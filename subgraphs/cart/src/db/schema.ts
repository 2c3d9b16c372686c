import { sql } from 'drizzle-orm';
import { check, index, integer, pgSchema, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { inboxTable } from '@ecom/platform/events/inbox';
import { auditLogTable } from '@ecom/platform/audit';
import { idempotencyKeysTable } from '@ecom/platform/idempotency';

export const cart = pgSchema('cart');

export const CART_STATUSES = ['OPEN', 'MERGED'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/**
 * An anonymous cart (owner_user_id null) is reachable by its id alone, so the id carries at least
 * 128 random bits. `version` is raised by one on every change; clients pass it back for optimistic
 * locking.
 */
export const carts = cart.table(
  'carts',
  {
    id: text('id').primaryKey(),
    ownerUserId: text('owner_user_id'),
    status: text('status', { enum: CART_STATUSES }).notNull().default('OPEN'),
    version: integer('version').notNull().default(0),
    couponCode: text('coupon_code'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    // One open cart per user: "my cart" is never ambiguous, and concurrent first adds converge on it.
    uniqueIndex('carts_one_open_per_user')
      .on(t.ownerUserId)
      .where(sql`${t.status} = 'OPEN' and ${t.ownerUserId} is not null`),
    // The abandoned-cart sweep reads anonymous carts by age.
    index('carts_anonymous_idle_idx')
      .on(t.updatedAt)
      .where(sql`${t.ownerUserId} is null`),
    check('carts_status_known', sql`${t.status} in ('OPEN', 'MERGED')`),
    check('carts_version_non_negative', sql`${t.version} >= 0`),
  ],
);

export const cartLines = cart.table(
  'cart_lines',
  {
    id: text('id').primaryKey(),
    cartId: text('cart_id')
      .notNull()
      .references(() => carts.id),
    variantId: text('variant_id').notNull(),
    quantity: integer('quantity').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('cart_lines_cart_variant_unique').on(t.cartId, t.variantId),
    index('cart_lines_cart_idx').on(t.cartId, t.createdAt, t.id),
    check('cart_lines_quantity_range', sql`${t.quantity} between 1 and 99`),
  ],
);

/** One row per placed order: makes emptying the cart for that order happen exactly once. */
export const cartCheckouts = cart.table('cart_checkouts', {
  orderId: text('order_id').primaryKey(),
  cartId: text('cart_id').notNull(),
  createdAt: createdAt(),
});

export const idempotencyKeys = idempotencyKeysTable(cart);

/** order.placed events applied (the checked-out cart closed), each once. */
export const inbox = inboxTable(cart);

export type CartRow = typeof carts.$inferSelect;
export type CartLineRow = typeof cartLines.$inferSelect;

/** Every mutation attempt on this subgraph (platform/src/audit.ts). */
export const auditLog = auditLogTable(cart);
