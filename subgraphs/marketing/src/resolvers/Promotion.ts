import type { PromotionResolvers } from '../generated/resolvers-types.ts';

export const Promotion: PromotionResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.promotion.load(ref.id),
};
