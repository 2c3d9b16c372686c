import type { MarketingContext } from '../context.ts';

export const Promotion = {
  __resolveReference: (ref: { id: string }, ctx: MarketingContext) => ctx.loaders.promotion.load(ref.id),
};
