import type { DeadlineOptions } from '@ecom/platform/deadline';
import { rowLoader } from '@ecom/platform/loaders';
import { availabilityByProductIds, stockByVariantIds, type InventoryDb } from './db/stock.ts';

/**
 * Per request: however many variants or products an `_entities` call names, one statement each.
 * Each batch runs under its field's time budget, so a slow one nulls only the field it feeds.
 */
export function createLoaders(db: InventoryDb, deadlineFor: (field: string) => DeadlineOptions) {
  return {
    stock: rowLoader(
      (ids) => stockByVariantIds(db, ids),
      (r) => r.variantId,
      { deadline: deadlineFor('Variant.stock') },
    ),
    availability: rowLoader(
      (ids) => availabilityByProductIds(db, ids),
      (r) => r.productId,
      {
        deadline: deadlineFor('Product.availability'),
      },
    ),
  };
}

export type InventoryLoaders = ReturnType<typeof createLoaders>;
