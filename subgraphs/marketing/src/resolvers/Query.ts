import { livePromotions } from '../db/promotions.ts';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { quoteDiscounts } from '../services/discount-quote.ts';

export const Query: QueryResolvers = {
  promotions: (_, __, ctx) => livePromotions(ctx.db),
  discountQuote: (_, args, ctx) => quoteDiscounts(ctx.db, args.input, args.userId ?? null),
};
