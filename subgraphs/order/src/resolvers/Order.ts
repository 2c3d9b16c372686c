import type { OrderContext } from '../context.ts';
import { findOrder, linesOf } from '../services/order-reads.ts';
import type { OrderView } from '../services/order-view.ts';

export const Order = {
  __resolveReference: (ref: { id: string }, ctx: OrderContext) => findOrder(ctx, ref.id),
  lines: (order: OrderView, _: unknown, ctx: OrderContext) => linesOf(ctx, order),
};
