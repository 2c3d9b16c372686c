import type { OrderResolvers } from '../generated/resolvers-types.ts';
import { findOrder, linesOf } from '../services/order-reads.ts';

export const Order: OrderResolvers = {
  __resolveReference: (ref, ctx) => findOrder(ctx, ref.id),
  lines: (order, _, ctx) => linesOf(ctx, order),
};
