import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { quotePrices } from '../services/price-quote.ts';

export const Query: QueryResolvers = {
  priceQuote: (_, args, ctx) => quotePrices(ctx.db, args.lines),
};
