import { and, asc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '@ecom/platform/db';
import { anyOf, preparedPer } from '@ecom/platform/prepared-query';
import type { InboxTx } from '@ecom/platform/events/inbox';
import * as schema from './schema.ts';
import type { CouponRedemptionRow } from './schema.ts';
import { couponRedemptions, coupons, productBadges, promotions } from './schema.ts';

export type MarketingDb = Db<typeof schema>;

// The database clock decides what is live, so every replica agrees on when a promotion ends.
const isLive = and(
  eq(promotions.active, true),
  lte(promotions.startsAt, sql`now()`),
  or(isNull(promotions.endsAt), gt(promotions.endsAt, sql`now()`)),
);
const promotionOrder = [asc(promotions.startsAt), asc(promotions.id)] as const;

export const livePromotions = (db: MarketingDb) =>
  db
    .select()
    .from(promotions)
    .where(isLive)
    .orderBy(...promotionOrder);

const livePromotionsOfShops = preparedPer((db: MarketingDb) =>
  db
    .select()
    .from(promotions)
    .where(and(isLive, or(isNull(promotions.shopId), anyOf(promotions.shopId, 'shopIds'))))
    .orderBy(...promotionOrder)
    .prepare('marketing_live_promotions_of_shops'),
);
/** Live promotions targeting any of the shops or every shop; one statement. */
export const livePromotionsForShops = (db: MarketingDb, shopIds: readonly string[]) => livePromotionsOfShops(db).execute({ shopIds });

const promotionsWithIds = preparedPer((db: MarketingDb) =>
  db.select().from(promotions).where(anyOf(promotions.id, 'ids')).prepare('marketing_promotions_by_ids'),
);
/** By id whether live or not: past orders and carts may still name an ended promotion. */
export const promotionsByIds = (db: MarketingDb, ids: readonly string[]) => promotionsWithIds(db).execute({ ids });

const badgesOf = preparedPer((db: MarketingDb) =>
  db
    .select()
    .from(productBadges)
    .where(anyOf(productBadges.productId, 'productIds'))
    .orderBy(asc(productBadges.productId), asc(productBadges.kind))
    .prepare('marketing_badges_of_products'),
);
export const badgesOfProducts = (db: MarketingDb, productIds: readonly string[]) => badgesOf(db).execute({ productIds });

/** The coupon with this (upper-case) code if it is valid now. */
/**
 * The coupon if it is current, with how many paid orders have used it and whether `userId` is
 * among them (false without a user): one statement.
 */
export async function validCoupon(db: MarketingDb, code: string, userId: string | null) {
  // Qualified by hand: drizzle writes bare column names inside raw sql, and both tables have `code`.
  const redemption = (column: string) => sql`${couponRedemptions}.${sql.identifier(column)}`;
  const ofThisCoupon = sql`${redemption('code')} = ${coupons}.${sql.identifier('code')}`;
  const [row] = await db
    .select({
      coupon: coupons,
      redemptions: sql<number>`(select count(*) from ${couponRedemptions} where ${ofThisCoupon})`.mapWith(Number),
      redeemedByUser:
        userId === null
          ? sql<boolean>`false`
          : sql<boolean>`exists (select 1 from ${couponRedemptions} where ${ofThisCoupon} and ${redemption('user_id')} = ${userId})`,
    })
    .from(coupons)
    .where(and(eq(coupons.code, code), lte(coupons.validFrom, sql`now()`), gt(coupons.validTo, sql`now()`)))
    .limit(1);
  return row;
}

/** Idempotent per order: the order's redemption is written once whatever delivers it. */
export async function recordRedemption(db: InboxTx, row: CouponRedemptionRow): Promise<void> {
  await db.insert(couponRedemptions).values(row).onConflictDoNothing();
}

export async function giveBackRedemption(db: InboxTx, orderId: string): Promise<void> {
  await db.delete(couponRedemptions).where(eq(couponRedemptions.orderId, orderId));
}
