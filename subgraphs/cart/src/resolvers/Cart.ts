import type { CartResolvers } from '../generated/resolvers-types.ts';
import { linesOf, quoteOf, readableCart } from '../services/cart-reads.ts';

export const Cart: CartResolvers = {
  __resolveReference: (ref, ctx) => readableCart(ctx, ref.id),
  lines: (cart, _, ctx) => linesOf(ctx, cart),
  shopGroups: async (cart, _, ctx) => (await quoteOf(ctx, cart))?.shopGroups ?? null,
  appliedPromotions: async (cart, _, ctx) => (await quoteOf(ctx, cart))?.appliedPromotions ?? null,
  cost: async (cart, _, ctx) => (await quoteOf(ctx, cart))?.cost ?? null,
};
