import type { ShopResolvers } from '../generated/resolvers-types.ts';

export const Shop: ShopResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.shop.load(ref.id),
};
