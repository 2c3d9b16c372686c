import { livePromotions } from '../db/promotions.ts';
import type { MarketingContext } from '../context.ts';
import { quoteDiscounts, type DiscountQuoteInput } from '../services/discount-quote.ts';

export const Query = {
  promotions: (_: unknown, __: unknown, ctx: MarketingContext) => livePromotions(ctx.db),
  discountQuote: (_: unknown, args: { input: DiscountQuoteInput }, ctx: MarketingContext) => quoteDiscounts(ctx.db, args.input),
};
