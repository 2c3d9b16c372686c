import { sql } from 'drizzle-orm';
import { check, index, integer, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

export const pricing = pgSchema('pricing');

/**
 * Every variant pricing knows about. The shop and product ids are denormalised here because pricing
 * owns the price of a shop's variant: quotes group by shop and price ranges by product without
 * asking the product subgraph.
 */
export const variantPrices = pricing.table(
  'variant_prices',
  {
    variantId: text('variant_id').primaryKey(),
    productId: text('product_id').notNull(),
    shopId: text('shop_id').notNull(),
  },
  (t) => [index('variant_prices_product_idx').on(t.productId)],
);

/**
 * The price calendar: the current price of a variant is its row with valid_from <= now < valid_to
 * (open-ended when valid_to is null); when several overlap, the latest valid_from wins.
 */
export const priceCalendar = pricing.table(
  'price_calendar',
  {
    id: text('id').primaryKey(),
    variantId: text('variant_id')
      .notNull()
      .references(() => variantPrices.variantId),
    amount: integer('amount').notNull(),
    compareAtAmount: integer('compare_at_amount'),
    currency: text('currency').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date' }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('price_calendar_variant_from_idx').on(t.variantId, t.validFrom),
    check('price_calendar_amount_check', sql`${t.amount} >= 0`),
    check('price_calendar_compare_at_check', sql`${t.compareAtAmount} is null or ${t.compareAtAmount} > ${t.amount}`),
    check('price_calendar_window_check', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

/** Per shop: the flat shipping fee, waived once the shop's subtotal reaches free_threshold. */
export const shippingRules = pricing.table(
  'shipping_rules',
  {
    shopId: text('shop_id').primaryKey(),
    flatFee: integer('flat_fee').notNull(),
    freeThreshold: integer('free_threshold').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [check('shipping_rules_amounts_check', sql`${t.flatFee} >= 0 and ${t.freeThreshold} >= 0`)],
);

export type PriceCalendarRow = typeof priceCalendar.$inferSelect;
export type ShippingRuleRow = typeof shippingRules.$inferSelect;
