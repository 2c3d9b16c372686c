import type { CartContext } from '../context.ts';
import { myCart, readableCart } from '../services/cart-reads.ts';
import { checkoutQuote } from '../services/checkout.ts';

export const Query = {
  cart: (_: unknown, args: { id: string }, ctx: CartContext) => readableCart(ctx, args.id),
  myCart: (_: unknown, __: unknown, ctx: CartContext) => myCart(ctx),
  checkoutQuote: (_: unknown, args: { cartId: string }, ctx: CartContext) => checkoutQuote(ctx, args.cartId),
};
