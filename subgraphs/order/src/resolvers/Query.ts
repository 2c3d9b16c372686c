import type { OrderContext } from '../context.ts';
import { findOrder, myOrders, type MyOrdersArgs } from '../services/order-reads.ts';

export const Query = {
  order: (_: unknown, args: { id: string }, ctx: OrderContext) => findOrder(ctx, args.id),
  myOrders: (_: unknown, args: MyOrdersArgs, ctx: OrderContext) => myOrders(ctx, args),
};
