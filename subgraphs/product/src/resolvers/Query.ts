import { allCategories, allShops } from '../db/catalog.ts';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { listProducts } from '../services/product-listing.ts';

export const Query: QueryResolvers = {
  categories: (_, __, ctx) => allCategories(ctx.db),
  shops: (_, __, ctx) => allShops(ctx.db),
  products: (_, args, ctx) => listProducts(ctx.db, args),
  product: (_, args, ctx) => ctx.loaders.product.load(args.id),
};
