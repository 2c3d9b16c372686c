import type { VariantResolvers } from '../generated/resolvers-types.ts';
import { toStockLevel } from '../services/stock-level.ts';

export const Variant: VariantResolvers = {
  // The reference is the entity: stock is loaded per field, so a variant without stock is just null stock.
  __resolveReference: (ref) => ref,
  stock: async (v, _, ctx) => {
    const row = await ctx.loaders.stock.load(v.id);
    return row && toStockLevel(row);
  },
};
