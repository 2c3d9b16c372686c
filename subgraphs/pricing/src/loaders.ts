import { rowLoader } from '@ecom/platform/loaders';
import { currentPricesOfVariants, priceRangesOfProducts, type PricingDb } from './db/prices.ts';

/** Per request: every entity field is one statement per batch, whatever the number of entities. */
export function createLoaders(db: PricingDb) {
  return {
    /** Shared by Variant.price and Variant.compareAtPrice, so both cost one statement together. */
    currentPrice: rowLoader((ids) => currentPricesOfVariants(db, ids), (r) => r.variantId),
    priceRange: rowLoader((ids) => priceRangesOfProducts(db, ids), (r) => r.productId),
  };
}

export type PricingLoaders = ReturnType<typeof createLoaders>;
