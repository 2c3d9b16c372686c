import type { DeadlineOptions } from '@ecom/platform/deadline';
import { rowLoader } from '@ecom/platform/loaders';
import { currentPricesOfVariants, priceRangesOfProducts, type PricingDb } from './db/prices.ts';

/**
 * Per request: every entity field is one statement per batch, whatever the number of entities.
 * Each batch runs under its field's time budget, so a slow one nulls only the fields it feeds.
 */
export function createLoaders(db: PricingDb, deadlineFor: (field: string) => DeadlineOptions) {
  return {
    /** Shared by Variant.price and Variant.compareAtPrice, so both cost one statement together. */
    currentPrice: rowLoader(
      (ids) => currentPricesOfVariants(db, ids),
      (r) => r.variantId,
      { deadline: deadlineFor('Variant.price') },
    ),
    priceRange: rowLoader(
      (ids) => priceRangesOfProducts(db, ids),
      (r) => r.productId,
      { deadline: deadlineFor('Product.priceRange') },
    ),
  };
}

export type PricingLoaders = ReturnType<typeof createLoaders>;
