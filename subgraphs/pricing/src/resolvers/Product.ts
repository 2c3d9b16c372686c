import type { ProductResolvers } from '../generated/resolvers-types.ts';
import { money } from '../services/money.ts';

export const Product: ProductResolvers = {
  // Nothing to fetch for the reference itself: each field loads its own batch, only when asked for.
  __resolveReference: (ref) => ({ id: ref.id }),
  priceRange: async (p, _, ctx) => {
    const range = await ctx.loaders.priceRange.load(p.id);
    return range && { min: money(range.min, range.currency), max: money(range.max, range.currency) };
  },
};
