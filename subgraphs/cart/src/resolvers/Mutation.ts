import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { addToCart } from '../services/add-to-cart.ts';
import { applyCoupon } from '../services/apply-coupon.ts';
import { removeCartLine, updateCartLine } from '../services/change-cart-line.ts';
import { completeCheckout } from '../services/checkout.ts';
import { mergeCart } from '../services/merge-cart.ts';

export const Mutation: MutationResolvers = {
  addToCart: (_, { input }, ctx) => addToCart(ctx, input),
  updateCartLine: (_, { input }, ctx) => updateCartLine(ctx, input),
  removeCartLine: (_, { input }, ctx) => removeCartLine(ctx, input),
  mergeCart: (_, { input }, ctx) => mergeCart(ctx, input),
  applyCoupon: (_, { input }, ctx) => applyCoupon(ctx, input),
  completeCheckout: (_, { input }, ctx) => completeCheckout(ctx, input),
};
