import type { InventoryContext } from '../context.ts';
import { toAvailability } from '../services/stock-level.ts';

export const Product = {
  __resolveReference: (ref: { id: string }) => ref,
  availability: async (p: { id: string }, _: unknown, ctx: InventoryContext) => {
    const row = await ctx.loaders.availability.load(p.id);
    return row && toAvailability(row.available);
  },
};
