import { groupLoader, rowLoader } from '@ecom/platform/loaders';
import { categoriesByIds, productsByIds, shopsByIds, variantsByIds, variantsByProductIds, type ProductDb } from './db/catalog.ts';

/** Per request: every entity fetch and list-of-ids field is one statement per batch. */
export function createLoaders(db: ProductDb) {
  return {
    product: rowLoader(
      (ids) => productsByIds(db, ids),
      (r) => r.id,
    ),
    variant: rowLoader(
      (ids) => variantsByIds(db, ids),
      (r) => r.id,
    ),
    variantsOfProduct: groupLoader(
      (ids) => variantsByProductIds(db, ids),
      (r) => r.productId,
    ),
    category: rowLoader(
      (ids) => categoriesByIds(db, ids),
      (r) => r.id,
    ),
    shop: rowLoader(
      (ids) => shopsByIds(db, ids),
      (r) => r.id,
    ),
  };
}

export type ProductLoaders = ReturnType<typeof createLoaders>;
