import DataLoader from 'dataloader';
import { groupLoader, rowLoader } from '@ecom/platform/loaders';
import { cartsByIds, linesByCartIds, type CartDb } from './db/carts.ts';
import type { CartQuote, QuoteInput } from './services/cart-quote.ts';

export interface QuoteKey extends QuoteInput {
  cartId: string;
}

/**
 * Per request: carts and their lines one statement per batch, and one quote per cart however many
 * of cost / shopGroups / appliedPromotions / lines.variant the query asks for.
 */
export function createLoaders(db: CartDb, quote: (key: QuoteKey) => Promise<CartQuote>) {
  return {
    cart: rowLoader(
      (ids) => cartsByIds(db, ids),
      (r) => r.id,
    ),
    linesOfCart: groupLoader(
      (ids) => linesByCartIds(db, ids),
      (r) => r.cartId,
    ),
    // Carts are priced separately (shipping and discounts are per cart), concurrently.
    quote: new DataLoader<QuoteKey, CartQuote, string>(
      (keys) => Promise.all(keys.map((k) => quote(k).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))),
      { cacheKeyFn: (k) => k.cartId },
    ),
    /** Carts whose failed quote already has its error in this response. */
    reportedQuoteFailures: new Set<string>(),
  };
}

export type CartLoaders = ReturnType<typeof createLoaders>;
