import { auditSlice } from '@ecom/platform/audit-trail';
import { auditLog } from '../db/schema.ts';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { toStockLevel } from '../services/stock-level.ts';

export const Query: QueryResolvers = {
  stockLevel: async (_, args, ctx) => {
    const row = await ctx.loaders.stock.load(args.variantId);
    return row && toStockLevel(row);
  },
  inventoryAuditEntries: (_, args, ctx) => auditSlice(ctx.db, auditLog, 'inventory', ctx, args),
};
