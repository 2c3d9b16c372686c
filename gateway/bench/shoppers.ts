/**
 * Shoppers ready to check out, made before any clock starts: each its own signed-in user with a
 * cart of one unit, on variants the back office has just stocked enough for every order the bench
 * will place (AdjustStock, the registered back-office operation), so no order runs out of stock.
 */
import { randomUUID } from 'node:crypto';
import { demoProducts } from '@ecom/platform/demo-catalog';
import { operation } from '../test/support/operations.ts';
import { postGraphQL } from './measure.ts';
import type { Stack } from './stack.ts';

export const OPS = {
  addToCart: operation('web/AddToCart'),
  placeOrder: operation('web/PlaceOrder'),
  adjustStock: operation('backoffice/AdjustStock'),
};

const ADDRESS = { name: 'Li Lei', line1: '1 Nanjing Road', city: 'Shanghai', postalCode: '200001', country: 'CN' };
/** Orders are spread over this many variants, so no one stock row takes every reservation. */
const VARIANT_POOL = 24;
const SETUP_CLIENTS = 8;
/** A refusal (OVERLOADED, Retry-After) is what admission control answers a burst of setup: wait and retry. */
const SETUP_ATTEMPTS = 10;

export interface Shopper {
  token: string;
  cartId: string;
}

/** A setup mutation; a retryable failure is retried with the same idempotency key after its Retry-After, as a client would. */
async function mutate(stack: Stack, query: string, field: string, input: Record<string, unknown>, token: string): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ query, variables: { input: { idempotencyKey: randomUUID(), ...input } } });
  for (let attempt = 1; ; attempt++) {
    const answer = await postGraphQL(stack.url, body, { token, field, timeoutMs: 30_000 });
    const result = answer.body?.data?.[field] as Record<string, unknown> | undefined;
    if (answer.outcome === 'complete' && result) return result;
    const retryable = answer.status === 0 || answer.body?.errors?.some((e) => e.extensions?.retryable === true);
    if (!retryable || attempt === SETUP_ATTEMPTS) {
      throw new Error(`${field} failed in setup: ${answer.code} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    await new Promise((r) => setTimeout(r, Math.max(answer.retryAfterMs ?? 0, 250 * attempt)));
  }
}

/** The pool of variants orders are placed on (the first variant of the first products of the seed). */
export function variantPool(): string[] {
  return demoProducts()
    .slice(0, VARIANT_POOL)
    .map((p) => p.variants[0]!.id);
}

/** Adds `orders / pool + margin` units to every variant of the pool. */
export async function stockFor(stack: Stack, orders: number): Promise<void> {
  const admin = await stack.token(`bench-admin-${randomUUID().slice(0, 8)}`, ['admin']);
  const delta = Math.ceil(orders / VARIANT_POOL) + 10;
  for (const variantId of variantPool()) {
    const level = await mutate(stack, OPS.adjustStock, 'adjustStock', { variantId, delta, reason: 'bench setup' }, admin);
    if (level.__typename !== 'StockLevel') throw new Error(`adjustStock ${variantId}: ${JSON.stringify(level)}`);
  }
}

/** `count` signed-in users, each with a cart holding one unit of a pool variant. */
export async function shoppersWithCarts(stack: Stack, count: number, label: string): Promise<Shopper[]> {
  const pool = variantPool();
  const shoppers: Shopper[] = new Array<Shopper>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: SETUP_CLIENTS }, async () => {
      while (next < count) {
        const i = next++;
        const token = await stack.token(`bench-${label}-${i}-${randomUUID().slice(0, 8)}`);
        const cart = await mutate(stack, OPS.addToCart, 'addToCart', { variantId: pool[i % pool.length], quantity: 1 }, token);
        if (cart.__typename !== 'Cart') throw new Error(`addToCart: ${JSON.stringify(cart)}`);
        shoppers[i] = { token, cartId: cart.id as string };
      }
    }),
  );
  return shoppers;
}

/** One checkout: placeOrder for the shopper's cart; its answer classified. */
export function placeOrder(stack: Stack, shopper: Shopper) {
  const body = JSON.stringify({
    query: OPS.placeOrder,
    variables: { input: { cartId: shopper.cartId, shippingAddress: ADDRESS, idempotencyKey: randomUUID() } },
  });
  return postGraphQL(stack.url, body, { token: shopper.token, field: 'placeOrder', timeoutMs: 30_000 });
}

/** An order was placed (not a typed refusal such as InsufficientStockError). */
export const placed = (answer: Awaited<ReturnType<typeof placeOrder>>) =>
  answer.outcome === 'complete' && (answer.body?.data?.placeOrder as { __typename?: string } | undefined)?.__typename === 'Order';

/** What an answer was, for a table: `Order`, a union member's name, or the error code. */
export const kindOf = (answer: Awaited<ReturnType<typeof placeOrder>>) =>
  answer.outcome === 'complete'
    ? ((answer.body?.data?.placeOrder as { __typename?: string } | undefined)?.__typename ?? '?')
    : (answer.code ?? answer.outcome);
