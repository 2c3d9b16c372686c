import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { inboxTable } from '@ecom/platform/events/inbox';

export const marketing = pgSchema('marketing');

export const promotionKind = marketing.enum('promotion_kind', ['PERCENT_OFF', 'THRESHOLD_DISCOUNT']);
export const curatedBadgeKind = marketing.enum('curated_badge_kind', ['NEW', 'BESTSELLER']);

/**
 * A promotion is live while active and starts_at <= now < ends_at (open-ended when ends_at is null).
 * shop_id null targets every shop.
 */
export const promotions = marketing.table(
  'promotions',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    kind: promotionKind('kind').notNull(),
    shopId: text('shop_id'),
    percentOff: integer('percent_off'),
    thresholdAmount: integer('threshold_amount'),
    discountAmount: integer('discount_amount'),
    badgeLabel: text('badge_label').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }),
    active: boolean('active').notNull().default(true),
  },
  (t) => [
    index('promotions_shop_idx').on(t.shopId),
    // Each kind carries exactly the amounts it is computed from (coalesce: a NULL check passes).
    check(
      'promotions_kind_amounts_check',
      sql`coalesce((${t.kind} = 'PERCENT_OFF' and ${t.percentOff} between 1 and 100 and ${t.thresholdAmount} is null and ${t.discountAmount} is null)
        or (${t.kind} = 'THRESHOLD_DISCOUNT' and ${t.percentOff} is null and ${t.thresholdAmount} >= 0 and ${t.discountAmount} > 0), false)`,
    ),
    check('promotions_window_check', sql`${t.endsAt} is null or ${t.endsAt} > ${t.startsAt}`),
  ],
);

/** Codes are stored upper case and matched case-insensitively; valid while valid_from <= now < valid_to. */
export const coupons = marketing.table(
  'coupons',
  {
    code: text('code').primaryKey(),
    title: text('title').notNull(),
    percentOff: integer('percent_off').notNull(),
    maxDiscount: integer('max_discount').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date' }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true, mode: 'date' }).notNull(),
    /** How many paid orders may use it in all; null: no limit. */
    maxRedemptions: integer('max_redemptions'),
    /** Each user may redeem it once (WELCOME10). */
    oncePerUser: boolean('once_per_user').notNull().default(false),
  },
  (t) => [
    check('coupons_code_upper_check', sql`${t.code} = upper(${t.code})`),
    check('coupons_amounts_check', sql`${t.percentOff} between 1 and 100 and ${t.maxDiscount} >= 0`),
    check('coupons_window_check', sql`${t.validTo} > ${t.validFrom}`),
    check('coupons_max_redemptions_check', sql`${t.maxRedemptions} is null or ${t.maxRedemptions} >= 0`),
  ],
);

/**
 * One row per paid order that used a coupon, written from `order.paid` (so a redemption is a
 * payment, not an application to a cart) and deleted by `order.cancelled` after payment.
 */
export const couponRedemptions = marketing.table(
  'coupon_redemptions',
  {
    orderId: text('order_id').primaryKey(),
    code: text('code')
      .notNull()
      .references(() => coupons.code),
    userId: text('user_id').notNull(),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('coupon_redemptions_code_user_idx').on(t.code, t.userId)],
);

/** Events from other subgraphs this one has applied (order.paid, order.cancelled), each once. */
export const inbox = inboxTable(marketing);

/** Badges curated by hand (NEW, BESTSELLER); promotion badges are derived, not stored here. */
export const productBadges = marketing.table(
  'product_badges',
  {
    productId: text('product_id').notNull(),
    kind: curatedBadgeKind('kind').notNull(),
    label: text('label').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.kind] })],
);

export type PromotionRow = typeof promotions.$inferSelect;
export type CouponRow = typeof coupons.$inferSelect;
export type CouponRedemptionRow = typeof couponRedemptions.$inferSelect;
export type ProductBadgeRow = typeof productBadges.$inferSelect;
