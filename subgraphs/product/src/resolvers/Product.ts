import type { ProductContext } from '../context.ts';
import type { ProductRow } from '../db/schema.ts';

export const Product = {
  __resolveReference: (ref: { id: string }, ctx: ProductContext) => ctx.loaders.product.load(ref.id),
  createdAt: (p: ProductRow) => p.createdAt.toISOString(),
  category: (p: ProductRow, _: unknown, ctx: ProductContext) => ctx.loaders.category.load(p.categoryId),
  shop: (p: ProductRow, _: unknown, ctx: ProductContext) => ctx.loaders.shop.load(p.shopId),
  variants: (p: ProductRow, _: unknown, ctx: ProductContext) => ctx.loaders.variantsOfProduct.load(p.id),
};
