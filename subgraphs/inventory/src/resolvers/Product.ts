import type { ProductResolvers } from '../generated/resolvers-types.ts';
import { toAvailability } from '../services/stock-level.ts';

export const Product: ProductResolvers = {
  __resolveReference: (ref) => ref,
  availability: async (p, _, ctx) => {
    const row = await ctx.loaders.availability.load(p.id);
    return row && toAvailability(row.available);
  },
};
