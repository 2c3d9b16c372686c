import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { adjustStock } from '../services/adjust-stock.ts';
import { requireOrderCaller } from '../services/stock-operation-caller.ts';
import { commitStock, releaseStock, reserveStock, restockOrder } from '../services/stock-operations.ts';

export const Mutation: MutationResolvers = {
  adjustStock: (_, args, ctx) => adjustStock(ctx.db, ctx.principal, args.input),
  // Internal (@inaccessible), the order subgraph's only: see services/stock-operation-caller.ts.
  reserveStock: (_, args, ctx) => (requireOrderCaller(ctx.caller), reserveStock(ctx.db, args.input)),
  releaseStock: (_, args, ctx) => (requireOrderCaller(ctx.caller), releaseStock(ctx.db, args.input.orderId)),
  commitStock: (_, args, ctx) => (requireOrderCaller(ctx.caller), commitStock(ctx.db, args.input.orderId)),
  restockOrder: (_, args, ctx) => (requireOrderCaller(ctx.caller), restockOrder(ctx.db, args.input.orderId)),
};
