import type { CartContext } from '../context.ts';
import { linesOf, quoteOf, readableCart, type CartParent } from '../services/cart-reads.ts';

export const Cart = {
  __resolveReference: (ref: { id: string }, ctx: CartContext) => readableCart(ctx, ref.id),
  lines: (cart: CartParent, _: unknown, ctx: CartContext) => linesOf(ctx, cart),
  shopGroups: async (cart: CartParent, _: unknown, ctx: CartContext) => (await quoteOf(ctx, cart))?.shopGroups ?? null,
  appliedPromotions: async (cart: CartParent, _: unknown, ctx: CartContext) => (await quoteOf(ctx, cart))?.appliedPromotions ?? null,
  cost: async (cart: CartParent, _: unknown, ctx: CartContext) => (await quoteOf(ctx, cart))?.cost ?? null,
};
