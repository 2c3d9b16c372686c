import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import { openCartOfUser } from '../db/carts.ts';
import type { CartRow } from '../db/schema.ts';
import type { CartLoaders } from '../loaders.ts';
import type { CartEnv } from './cart-env.ts';
import type { CartQuote } from './cart-quote.ts';
import { isVisibleTo, toSnapshot, type CartSnapshot, type CartSnapshotLine } from './cart-snapshot.ts';

type ReadEnv = CartEnv & { loaders: CartLoaders };

/** Null for an unknown or merged cart, and for a user's cart asked for by anyone but that user. */
export async function readableCart(env: ReadEnv, id: string): Promise<CartSnapshot | null> {
  const cart = await env.loaders.cart.load(id);
  if (!cart || !isVisibleTo(cart, env.principal)) return null;
  return toSnapshot(cart, await env.loaders.linesOfCart.load(cart.id));
}

export async function myCart(env: ReadEnv): Promise<CartSnapshot | null> {
  const userId = env.principal.userId;
  if (!userId) return null;
  const cart = await openCartOfUser(env.db, userId);
  return cart ? toSnapshot(cart, await env.loaders.linesOfCart.load(cart.id)) : null;
}

/** A Cart parent is a snapshot (reads, mutation results, replays) or, from elsewhere, a bare row. */
export type CartParent = CartSnapshot | CartRow;

export async function linesOf(env: ReadEnv, cart: CartParent): Promise<CartSnapshotLine[]> {
  if ('lines' in cart) return cart.lines;
  return toSnapshot(cart, await env.loaders.linesOfCart.load(cart.id)).lines;
}

/**
 * The request's one quote of this cart, priced from the lines the parent carries. When pricing or
 * marketing cannot answer, the first money field asked for carries the typed error and the others
 * are just null: one failure, one top-level error.
 */
export async function quoteOf(env: ReadEnv, cart: CartParent): Promise<CartQuote | null> {
  const lines = await linesOf(env, cart);
  try {
    return await withSiblingFaults(env.loaders.quote.load({ cartId: cart.id, lines, couponCode: cart.couponCode }));
  } catch (err) {
    if (env.loaders.reportedQuoteFailures.has(cart.id)) return null;
    env.loaders.reportedQuoteFailures.add(cart.id);
    throw err;
  }
}
