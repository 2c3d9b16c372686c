import type { MarketingContext } from '../context.ts';
import { badgesOfProduct, promotionsOfProduct, type ProductRepresentation } from '../services/product-badges.ts';

export const Product = {
  // The representation already carries what the fields need (id, and shop via @requires).
  __resolveReference: (ref: ProductRepresentation) => ref,
  badges: (p: ProductRepresentation, _: unknown, ctx: MarketingContext) => badgesOfProduct(ctx.loaders, p),
  promotions: (p: ProductRepresentation, _: unknown, ctx: MarketingContext) => promotionsOfProduct(ctx.loaders, p),
};
