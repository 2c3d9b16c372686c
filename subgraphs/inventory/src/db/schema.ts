import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { outboxTable } from '@ecom/platform/events/inbox';
import { auditLogTable } from '@ecom/platform/audit';
import { idempotencyKeysTable } from '@ecom/platform/idempotency';

export const inventory = pgSchema('inventory');

export const RESERVATION_STATES = ['RESERVED', 'RELEASED', 'SOLD', 'RESTOCKED'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

export const MOVEMENT_KINDS = ['RECEIVED', 'ADJUSTED', 'RESERVED', 'RELEASED', 'SOLD', 'RESTOCKED'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

const now = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * One row per variant: the numbers every oversell guard is decided on. The CHECKs are the last line
 * of defence: a statement that would break `on_hand >= reserved >= 0` fails instead of committing.
 */
export const stockLevels = inventory.table(
  'stock_levels',
  {
    variantId: text('variant_id').primaryKey(),
    productId: text('product_id').notNull(),
    onHand: integer('on_hand').notNull(),
    reserved: integer('reserved').notNull().default(0),
    /** Net units ever received: receipts and adjustments (write-offs count negative). */
    receivedTotal: integer('received_total').notNull(),
    /** Units in sold, not refunded orders. Invariant: sold_total + on_hand = received_total. */
    soldTotal: integer('sold_total').notNull().default(0),
    updatedAt: now(),
  },
  (t) => [
    index('stock_levels_product_idx').on(t.productId),
    check('stock_levels_reserved_within_on_hand', sql`${t.onHand} >= ${t.reserved}`),
    check('stock_levels_reserved_non_negative', sql`${t.reserved} >= 0`),
    check('stock_levels_on_hand_non_negative', sql`${t.onHand} >= 0`),
    check('stock_levels_sold_non_negative', sql`${t.soldTotal} >= 0`),
  ],
);

/** One per order; its state machine makes every saga step idempotent per order id. */
export const reservations = inventory.table(
  'reservations',
  {
    orderId: text('order_id').primaryKey(),
    state: text('state', { enum: RESERVATION_STATES }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: now(),
  },
  (t) => [
    check('reservations_state_known', sql`${t.state} in (${inList(RESERVATION_STATES)})`),
    // The sweeper only ever looks for live reservations past their expiry.
    index('reservations_live_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.state} = 'RESERVED'`),
  ],
);

export const reservationLines = inventory.table(
  'reservation_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => reservations.orderId),
    variantId: text('variant_id')
      .notNull()
      .references(() => stockLevels.variantId),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.variantId] }), check('reservation_lines_quantity_positive', sql`${t.quantity} > 0`)],
);

/**
 * Append-only ledger of every change to a stock level, so the invariants can be recomputed from
 * history. `quantity` is positive, except ADJUSTED, which carries the signed delta.
 */
export const stockMovements = inventory.table(
  'stock_movements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    variantId: text('variant_id')
      .notNull()
      .references(() => stockLevels.variantId),
    kind: text('kind', { enum: MOVEMENT_KINDS }).notNull(),
    quantity: integer('quantity').notNull(),
    /** The order id, or for adjustments the idempotency key (and `seed` for the demo stock). */
    reference: text('reference').notNull(),
    /** Why an adjustment was made, as the back office entered it. */
    reason: text('reason'),
    /** Who made an adjustment (`user:<id>` of the admin); null for movements of the order saga and the seed. */
    actor: text('actor'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('stock_movements_variant_idx').on(t.variantId, t.id),
    index('stock_movements_reference_idx').on(t.reference),
    check('stock_movements_kind_known', sql`${t.kind} in (${inList(MOVEMENT_KINDS)})`),
  ],
);

export const idempotencyKeys = idempotencyKeysTable(inventory);

export type StockLevelRow = typeof stockLevels.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;
export type StockMovementRow = typeof stockMovements.$inferSelect;

/** stock.low / stock.depleted, written in the transaction that moved the stock across the line. */
export const outbox = outboxTable(inventory);

/** Every mutation attempt on this subgraph (platform/src/audit.ts). */
export const auditLog = auditLogTable(inventory);
