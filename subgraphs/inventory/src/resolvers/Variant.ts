import type { InventoryContext } from '../context.ts';
import { toStockLevel } from '../services/stock-level.ts';

export const Variant = {
  // The reference is the entity: stock is loaded per field, so a variant without stock is just null stock.
  __resolveReference: (ref: { id: string }) => ref,
  stock: async (v: { id: string }, _: unknown, ctx: InventoryContext) => {
    const row = await ctx.loaders.stock.load(v.id);
    return row && toStockLevel(row);
  },
};
