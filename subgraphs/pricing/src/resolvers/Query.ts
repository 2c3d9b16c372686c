import type { PricingContext } from '../context.ts';
import { quotePrices, type QuoteLineInput } from '../services/price-quote.ts';

export const Query = {
  priceQuote: (_: unknown, args: { lines: QuoteLineInput[] }, ctx: PricingContext) => quotePrices(ctx.db, args.lines),
};
