import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { adjustStock } from '../services/adjust-stock.ts';
import { commitStock, releaseStock, reserveStock, restockOrder } from '../services/stock-operations.ts';

export const Mutation: MutationResolvers = {
  adjustStock: (_, args, ctx) => adjustStock(ctx.db, ctx.principal, args.input),
  // Internal (@inaccessible): see services/stock-operations.ts for who may call and why.
  reserveStock: (_, args, ctx) => reserveStock(ctx.db, args.input),
  releaseStock: (_, args, ctx) => releaseStock(ctx.db, args.input.orderId),
  commitStock: (_, args, ctx) => commitStock(ctx.db, args.input.orderId),
  restockOrder: (_, args, ctx) => restockOrder(ctx.db, args.input.orderId),
};
