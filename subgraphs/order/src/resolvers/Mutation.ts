import type { OrderContext } from '../context.ts';
import { cancelOrder } from '../services/cancel-order.ts';
import type { CancelOrderInput, PayOrderInput, PlaceOrderInput } from '../services/order-input.ts';
import { payOrder } from '../services/pay-order.ts';
import { placeOrder } from '../services/place-order.ts';

export const Mutation = {
  placeOrder: (_: unknown, args: { input: PlaceOrderInput }, ctx: OrderContext) => placeOrder(ctx, args.input),
  payOrder: (_: unknown, args: { input: PayOrderInput }, ctx: OrderContext) => payOrder(ctx, args.input),
  cancelOrder: (_: unknown, args: { input: CancelOrderInput }, ctx: OrderContext) => cancelOrder(ctx, args.input),
};
