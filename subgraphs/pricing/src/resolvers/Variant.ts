import type { PricingContext } from '../context.ts';
import { money } from '../services/money.ts';

type VariantRef = { id: string };

export const Variant = {
  // Nothing to fetch for the reference itself: price and compareAtPrice share one batched load.
  __resolveReference: (ref: VariantRef) => ({ id: ref.id }),
  price: async (v: VariantRef, _: unknown, ctx: PricingContext) => {
    const current = await ctx.loaders.currentPrice.load(v.id);
    return current && money(current.amount, current.currency);
  },
  compareAtPrice: async (v: VariantRef, _: unknown, ctx: PricingContext) => {
    const current = await ctx.loaders.currentPrice.load(v.id);
    return current?.compareAtAmount != null ? money(current.compareAtAmount, current.currency) : null;
  },
};
