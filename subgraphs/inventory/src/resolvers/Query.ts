import type { InventoryContext } from '../context.ts';
import { toStockLevel } from '../services/stock-level.ts';

export const Query = {
  stockLevel: async (_: unknown, args: { variantId: string }, ctx: InventoryContext) => {
    const row = await ctx.loaders.stock.load(args.variantId);
    return row && toStockLevel(row);
  },
};
