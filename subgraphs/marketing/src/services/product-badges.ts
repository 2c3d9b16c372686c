import { NO_SHOP, type MarketingLoaders } from '../loaders.ts';

export type BadgeKind = 'PROMOTION' | 'NEW' | 'BESTSELLER';

export interface Badge {
  kind: BadgeKind;
  label: string;
}

/** What the gateway sends for a product: its id and, through @requires, its shop. */
export interface ProductRepresentation {
  id: string;
  shop?: { id: string } | null;
}

export const promotionsOfProduct = (loaders: MarketingLoaders, product: ProductRepresentation) =>
  loaders.livePromotionsOfShop.load(product.shop?.id ?? NO_SHOP);

/** Promotion badges first (a deal is what a shopper scans for), then curated NEW and BESTSELLER. */
export async function badgesOfProduct(loaders: MarketingLoaders, product: ProductRepresentation): Promise<Badge[]> {
  const [live, curated] = await Promise.all([promotionsOfProduct(loaders, product), loaders.curatedBadges.load(product.id)]);
  return [...live.map((p): Badge => ({ kind: 'PROMOTION', label: p.badgeLabel })), ...curated.map((b): Badge => ({ kind: b.kind, label: b.label }))];
}
