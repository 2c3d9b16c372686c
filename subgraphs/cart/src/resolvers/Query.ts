import { auditSlice } from '@ecom/platform/audit-trail';
import { auditLog } from '../db/schema.ts';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { myCart, readableCart } from '../services/cart-reads.ts';
import { checkoutQuote } from '../services/checkout.ts';

export const Query: QueryResolvers = {
  cart: (_, args, ctx) => readableCart(ctx, args.id),
  myCart: (_, __, ctx) => myCart(ctx),
  checkoutQuote: (_, args, ctx) => checkoutQuote(ctx, args.cartId),
  cartAuditEntries: (_, args, ctx) => auditSlice(ctx.db, auditLog, 'cart', ctx, args),
};
