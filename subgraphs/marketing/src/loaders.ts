import DataLoader from 'dataloader';
import { withDeadline, type DeadlineOptions } from '@ecom/platform/deadline';
import { groupLoader, rowLoader } from '@ecom/platform/loaders';
import { badgesOfProducts, livePromotionsForShops, promotionsByIds, type MarketingDb } from './db/promotions.ts';
import type { PromotionRow } from './db/schema.ts';

/** Key for a product whose shop is unknown: it gets only the promotions that target every shop. */
export const NO_SHOP = '';

/**
 * Per request: every entity field is one statement per batch, whatever the number of entities.
 * The display batches (badges, promotions) run under their field's time budget.
 */
export function createLoaders(db: MarketingDb, deadlineFor: (field: string) => DeadlineOptions) {
  return {
    promotion: rowLoader(
      (ids) => promotionsByIds(db, ids),
      (r) => r.id,
    ),
    curatedBadges: groupLoader(
      (ids) => badgesOfProducts(db, ids),
      (r) => r.productId,
      { deadline: deadlineFor('Product.badges') },
    ),
    /** A promotion without a shop belongs to every key, so this is not a plain groupLoader. */
    livePromotionsOfShop: new DataLoader<string, PromotionRow[]>((shopIds) =>
      withDeadline(deadlineFor('Product.promotions'), shopIds.length, async () => {
        const rows = await livePromotionsForShops(
          db,
          shopIds.filter((id) => id !== NO_SHOP),
        );
        return shopIds.map((shopId) => rows.filter((r) => r.shopId === null || r.shopId === shopId));
      }),
    ),
  };
}

export type MarketingLoaders = ReturnType<typeof createLoaders>;
