import { rowLoader } from '@ecom/platform/loaders';
import { availabilityByProductIds, stockByVariantIds, type InventoryDb } from './db/stock.ts';

/** Per request: however many variants or products an `_entities` call names, one statement each. */
export function createLoaders(db: InventoryDb) {
  return {
    stock: rowLoader((ids) => stockByVariantIds(db, ids), (r) => r.variantId),
    availability: rowLoader((ids) => availabilityByProductIds(db, ids), (r) => r.productId),
  };
}

export type InventoryLoaders = ReturnType<typeof createLoaders>;
