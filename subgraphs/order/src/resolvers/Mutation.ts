import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { cancelOrder } from '../services/cancel-order.ts';
import { payOrder } from '../services/pay-order.ts';
import { placeOrder } from '../services/place-order.ts';

export const Mutation: MutationResolvers = {
  placeOrder: (_, { input }, ctx) => placeOrder(ctx, input),
  payOrder: (_, { input }, ctx) => payOrder(ctx, input),
  cancelOrder: (_, { input }, ctx) => cancelOrder(ctx, input),
};
