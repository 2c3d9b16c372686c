import type { CartContext } from '../context.ts';
import { addToCart, type AddToCartInput } from '../services/add-to-cart.ts';
import { applyCoupon, type ApplyCouponInput } from '../services/apply-coupon.ts';
import { removeCartLine, updateCartLine, type RemoveCartLineInput, type UpdateCartLineInput } from '../services/change-cart-line.ts';
import { completeCheckout, type CompleteCheckoutInput } from '../services/checkout.ts';
import { mergeCart, type MergeCartInput } from '../services/merge-cart.ts';

type Args<T> = { input: T };

export const Mutation = {
  addToCart: (_: unknown, { input }: Args<AddToCartInput>, ctx: CartContext) => addToCart(ctx, input),
  updateCartLine: (_: unknown, { input }: Args<UpdateCartLineInput>, ctx: CartContext) => updateCartLine(ctx, input),
  removeCartLine: (_: unknown, { input }: Args<RemoveCartLineInput>, ctx: CartContext) => removeCartLine(ctx, input),
  mergeCart: (_: unknown, { input }: Args<MergeCartInput>, ctx: CartContext) => mergeCart(ctx, input),
  applyCoupon: (_: unknown, { input }: Args<ApplyCouponInput>, ctx: CartContext) => applyCoupon(ctx, input),
  completeCheckout: (_: unknown, { input }: Args<CompleteCheckoutInput>, ctx: CartContext) => completeCheckout(ctx, input),
};
