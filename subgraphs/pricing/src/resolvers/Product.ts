import type { PricingContext } from '../context.ts';
import { money } from '../services/money.ts';

type ProductRef = { id: string };

export const Product = {
  // Nothing to fetch for the reference itself: each field loads its own batch, only when asked for.
  __resolveReference: (ref: ProductRef) => ({ id: ref.id }),
  priceRange: async (p: ProductRef, _: unknown, ctx: PricingContext) => {
    const range = await ctx.loaders.priceRange.load(p.id);
    return range && { min: money(range.min, range.currency), max: money(range.max, range.currency) };
  },
};
