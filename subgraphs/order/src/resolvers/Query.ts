import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { auditTrail } from '../services/audit-trail.ts';
import { findOrder, myOrders } from '../services/order-reads.ts';

export const Query: QueryResolvers = {
  order: (_, args, ctx) => findOrder(ctx, args.id),
  myOrders: (_, args, ctx) => myOrders(ctx, args),
  auditTrail: (_, args, ctx) => auditTrail(ctx, args),
};
