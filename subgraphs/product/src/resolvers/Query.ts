import { allCategories, allShops } from '../db/catalog.ts';
import type { ProductContext } from '../context.ts';
import { listProducts, type ListingArgs } from '../services/product-listing.ts';

export const Query = {
  categories: (_: unknown, __: unknown, ctx: ProductContext) => allCategories(ctx.db),
  shops: (_: unknown, __: unknown, ctx: ProductContext) => allShops(ctx.db),
  products: (_: unknown, args: ListingArgs, ctx: ProductContext) => listProducts(ctx.db, args),
  product: (_: unknown, args: { id: string }, ctx: ProductContext) => ctx.loaders.product.load(args.id),
};
