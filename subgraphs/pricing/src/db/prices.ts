import { and, desc, eq, gt, inArray, isNull, lte, max, min, or, sql } from 'drizzle-orm';
import type { Db } from '@ecom/platform/db';
import { anyOf, preparedPer } from '@ecom/platform/prepared-query';
import * as schema from './schema.ts';
import { priceCalendar, shippingRules, variantPrices } from './schema.ts';

export type PricingDb = Db<typeof schema>;

export interface CurrentPrice {
  variantId: string;
  productId: string;
  shopId: string;
  amount: number;
  compareAtAmount: number | null;
  currency: string;
}

export interface PriceRangeRow {
  productId: string;
  min: number;
  max: number;
  currency: string;
}

// The database clock decides what is current, so every replica agrees on when a sale starts.
const isCurrent = and(lte(priceCalendar.validFrom, sql`now()`), or(isNull(priceCalendar.validTo), gt(priceCalendar.validTo, sql`now()`)));
// DISTINCT ON keeps the first row per variant: the latest valid_from (id breaks exact ties).
const latestFirst = [priceCalendar.variantId, desc(priceCalendar.validFrom), desc(priceCalendar.id)] as const;

const currentPrices = preparedPer((db: PricingDb) =>
  db
    .selectDistinctOn([priceCalendar.variantId], {
      variantId: priceCalendar.variantId,
      productId: variantPrices.productId,
      shopId: variantPrices.shopId,
      amount: priceCalendar.amount,
      compareAtAmount: priceCalendar.compareAtAmount,
      currency: priceCalendar.currency,
    })
    .from(priceCalendar)
    .innerJoin(variantPrices, eq(variantPrices.variantId, priceCalendar.variantId))
    .where(and(anyOf(priceCalendar.variantId, 'variantIds'), isCurrent))
    .orderBy(...latestFirst)
    .prepare('pricing_current_prices'),
);

/** The current price of each variant that has one, with its shop and product; one statement. */
export function currentPricesOfVariants(db: PricingDb, variantIds: readonly string[]): Promise<CurrentPrice[]> {
  return currentPrices(db).execute({ variantIds });
}

const priceRanges = preparedPer((db: PricingDb) => {
  const current = db
    .selectDistinctOn([priceCalendar.variantId], {
      productId: variantPrices.productId,
      amount: priceCalendar.amount,
      currency: priceCalendar.currency,
    })
    .from(variantPrices)
    .innerJoin(priceCalendar, eq(priceCalendar.variantId, variantPrices.variantId))
    .where(and(anyOf(variantPrices.productId, 'productIds'), isCurrent))
    .orderBy(...latestFirst)
    .as('current');
  return db
    .select({ productId: current.productId, min: min(current.amount), max: max(current.amount), currency: current.currency })
    .from(current)
    .groupBy(current.productId, current.currency)
    .prepare('pricing_price_ranges');
});

/** Min and max of the current prices of each product's variants; one statement for all products. */
export async function priceRangesOfProducts(db: PricingDb, productIds: readonly string[]): Promise<PriceRangeRow[]> {
  const rows = await priceRanges(db).execute({ productIds });
  return rows.map((r) => ({ productId: r.productId, min: Number(r.min), max: Number(r.max), currency: r.currency }));
}

export const shippingRulesOfShops = (db: PricingDb, shopIds: readonly string[]) =>
  db
    .select()
    .from(shippingRules)
    .where(inArray(shippingRules.shopId, [...shopIds]));
