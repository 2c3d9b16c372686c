import { validateKey } from '@ecom/platform/idempotency';
import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import { insertCart, insertLine, linesOfCart, lockCart, lockOpenCartOfUser, bumpVersion, setLineQuantity, type CartDb } from '../db/carts.ts';
import type { CartRow } from '../db/schema.ts';
import { allOrNothing } from './all-or-nothing.ts';
import { callerScope } from './caller-scope.ts';
import type { CartEnv } from './cart-env.ts';
import {
  checkAnonymousKey,
  checkId,
  checkQuantity,
  insufficientStock,
  invalid,
  MAX_LINE_QUANTITY,
  MAX_LINES_PER_CART,
  notFound,
  type InsufficientStock,
  type Invalid,
  type NotFound,
} from './cart-rules.ts';
import { isVisibleTo, readSnapshot, type CartSnapshot } from './cart-snapshot.ts';
import { newCartId, newLineId } from './ids.ts';
import { idempotentAfterCalls, type IdempotencyOutcome } from './idempotent.ts';
import { availabilityOf } from './stock-check.ts';

export interface AddToCartInput {
  cartId?: string | null;
  variantId: string;
  quantity: number;
  idempotencyKey: string;
}

/**
 * Without a cartId a signed-in user adds to their one open cart (created on first use) and an
 * anonymous caller gets a new anonymous cart. A variant already in the cart adds to its line.
 */
type Added = CartSnapshot | Invalid | NotFound | InsufficientStock;

export async function addToCart(env: CartEnv, input: AddToCartInput): Promise<Added | IdempotencyOutcome> {
  const anonymousFirstAdd = !env.principal.userId && !input.cartId;
  const bad =
    checkQuantity(input.quantity) ??
    checkId(input.variantId, 'input.variantId') ??
    (anonymousFirstAdd ? (validateKey(input.idempotencyKey) ?? checkAnonymousKey(input.idempotencyKey)) : null);
  if (bad) return bad;
  return idempotentAfterCalls(
    env.db,
    { caller: callerScope(env.principal, input.cartId), mutation: 'addToCart', key: input.idempotencyKey, input: { ...input } },
    async () => (await withSiblingFaults(availabilityOf(env.subgraphs, env, [input.variantId]))).get(input.variantId) ?? null,
    // What is available does not depend on the cart, so a cart that moved meanwhile changes nothing.
    (tx, available) => allOrNothing(tx, (sp) => add(sp, env, input, available)),
  );
}

async function targetCart(tx: CartDb, env: CartEnv, cartId: string | null | undefined): Promise<CartRow | 'missing' | undefined> {
  if (cartId) {
    const cart = await lockCart(tx, cartId);
    return cart && isVisibleTo(cart, env.principal) ? cart : 'missing';
  }
  const userId = env.principal.userId;
  if (!userId) return undefined;
  // Insert-or-nothing, then lock: concurrent first adds of one user converge on one cart.
  await insertCart(tx, { id: newCartId(), ownerUserId: userId });
  return lockOpenCartOfUser(tx, userId);
}

async function add(tx: CartDb, env: CartEnv, input: AddToCartInput, available: number | null): Promise<Added> {
  const found = await targetCart(tx, env, input.cartId);
  if (found === 'missing') return notFound('cart');
  const lines = found ? await linesOfCart(tx, found.id) : [];
  const existing = lines.find((l) => l.variantId === input.variantId);
  const quantity = (existing?.quantity ?? 0) + input.quantity;
  if (quantity > MAX_LINE_QUANTITY) {
    return invalid('input.quantity', `A line holds at most ${MAX_LINE_QUANTITY}; this cart already has ${existing!.quantity} of this item.`);
  }
  if (!existing && lines.length >= MAX_LINES_PER_CART) {
    return invalid('input.variantId', `A cart holds at most ${MAX_LINES_PER_CART} different items. Remove one before adding another.`);
  }
  if (available === null) return notFound('variant');
  if (quantity > available) return insufficientStock(input.variantId, available);

  const cart = found ?? (await insertCart(tx, { id: newCartId(), ownerUserId: null }))!;
  if (existing) await setLineQuantity(tx, cart.id, existing.id, quantity);
  else await insertLine(tx, { id: newLineId(), cartId: cart.id, variantId: input.variantId, quantity });
  await bumpVersion(tx, cart.id);
  return readSnapshot(tx, cart.id);
}
