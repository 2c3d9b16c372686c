import type { ProductResolvers } from '../generated/resolvers-types.ts';
import { requiredRow } from '../services/required-row.ts';

export const Product: ProductResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.product.load(ref.id),
  createdAt: (p) => p.createdAt.toISOString(),
  category: (p, _, ctx) => requiredRow(ctx.loaders.category.load(p.categoryId), 'category'),
  shop: (p, _, ctx) => requiredRow(ctx.loaders.shop.load(p.shopId), 'shop'),
  variants: (p, _, ctx) => ctx.loaders.variantsOfProduct.load(p.id),
};
