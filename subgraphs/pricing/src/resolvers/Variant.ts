import type { VariantResolvers } from '../generated/resolvers-types.ts';
import { money } from '../services/money.ts';

export const Variant: VariantResolvers = {
  // Nothing to fetch for the reference itself: price and compareAtPrice share one batched load.
  __resolveReference: (ref) => ({ id: ref.id }),
  price: async (v, _, ctx) => {
    const current = await ctx.loaders.currentPrice.load(v.id);
    return current && money(current.amount, current.currency);
  },
  compareAtPrice: async (v, _, ctx) => {
    const current = await ctx.loaders.currentPrice.load(v.id);
    return current?.compareAtAmount != null ? money(current.compareAtAmount, current.currency) : null;
  },
};
