import type { ProductResolvers } from '../generated/resolvers-types.ts';
import { badgesOfProduct, promotionsOfProduct } from '../services/product-badges.ts';

export const Product: ProductResolvers = {
  // The representation already carries what the fields need (id, and shop via @requires).
  __resolveReference: (ref) => ref,
  badges: (p, _, ctx) => badgesOfProduct(ctx.loaders, p),
  promotions: (p, _, ctx) => promotionsOfProduct(ctx.loaders, p),
};
