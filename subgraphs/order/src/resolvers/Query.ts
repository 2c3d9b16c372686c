import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { findOrder, myOrders } from '../services/order-reads.ts';

export const Query: QueryResolvers = {
  order: (_, args, ctx) => findOrder(ctx, args.id),
  myOrders: (_, args, ctx) => myOrders(ctx, args),
};
