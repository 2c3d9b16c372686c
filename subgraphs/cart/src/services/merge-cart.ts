import { domainError, type DomainErrorResult } from '@ecom/platform/errors';
import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import {
  bumpVersion,
  cartsByIds,
  insertCart,
  insertLine,
  linesOfCart,
  lockCart,
  lockOpenCartOfUser,
  markMerged,
  setLineQuantity,
  type CartDb,
} from '../db/carts.ts';
import { allOrNothing } from './all-or-nothing.ts';
import { callerScope } from './caller-scope.ts';
import type { CartEnv } from './cart-env.ts';
import { checkId, MAX_LINE_QUANTITY, MAX_LINES_PER_CART, notFound, type Invalid, type NotFound } from './cart-rules.ts';
import { readSnapshot, type CartSnapshot } from './cart-snapshot.ts';
import { newCartId, newLineId } from './ids.ts';
import { CartMoved, idempotentAfterCalls, type IdempotencyOutcome } from './idempotent.ts';
import { availabilityOf } from './stock-check.ts';

export interface MergeCartInput {
  anonymousCartId: string;
  idempotencyKey: string;
}

/**
 * After sign-in: the anonymous cart's lines move into the user's open cart (created if none).
 * Quantities add up, capped by what is available and by 99; a line is never lowered by a merge.
 * Unknown variants, and new lines past the 100-line limit, are left behind. The anonymous cart is
 * closed (MERGED) either way.
 */
type Merged = CartSnapshot | Invalid | NotFound | DomainErrorResult<'InvalidStateError'>;

export async function mergeCart(
  env: CartEnv,
  input: MergeCartInput,
): Promise<Merged | DomainErrorResult<'UnauthenticatedError'> | IdempotencyOutcome> {
  const userId = env.principal.userId;
  if (!userId) return domainError('UnauthenticatedError', 'Sign in to merge a cart into your own.');
  const bad = checkId(input.anonymousCartId, 'input.anonymousCartId');
  if (bad) return bad;
  return idempotentAfterCalls(
    env.db,
    { caller: callerScope(env.principal), mutation: 'mergeCart', key: input.idempotencyKey, input: { ...input } },
    () => askStock(env, input.anonymousCartId),
    (tx, stock) => allOrNothing(tx, (sp) => merge(sp, env, userId, input.anonymousCartId, stock)),
  );
}

/** Stock of the anonymous cart's variants as the cart is now (its version with it). */
async function askStock(env: CartEnv, anonymousCartId: string): Promise<{ version: number; available: Map<string, number | null> } | null> {
  const [anonymous] = await cartsByIds(env.db, [anonymousCartId]);
  // Nothing to ask for a cart that cannot be merged: the transaction answers why.
  if (!anonymous || anonymous.ownerUserId !== null || anonymous.status !== 'OPEN') return null;
  const incoming = await linesOfCart(env.db, anonymous.id);
  const available =
    incoming.length > 0
      ? await withSiblingFaults(
          availabilityOf(
            env.subgraphs,
            env,
            incoming.map((l) => l.variantId),
          ),
        )
      : new Map<string, number | null>();
  return { version: anonymous.version, available };
}

async function merge(
  tx: CartDb,
  env: CartEnv,
  userId: string,
  anonymousCartId: string,
  asked: { version: number; available: Map<string, number | null> } | null,
): Promise<Merged> {
  // Lock order: the anonymous cart, then the user's; nothing locks them the other way round.
  const anonymous = await lockCart(tx, anonymousCartId);
  if (!anonymous || anonymous.ownerUserId !== null) return notFound('cart');
  if (anonymous.status === 'MERGED') {
    return domainError('InvalidStateError', 'This cart was already merged into a signed-in cart. Load your cart instead.');
  }
  if (!asked || asked.version !== anonymous.version) throw new CartMoved();
  const { available } = asked;
  await insertCart(tx, { id: newCartId(), ownerUserId: userId });
  const target = (await lockOpenCartOfUser(tx, userId))!;

  const incoming = await linesOfCart(tx, anonymous.id);
  const present = await linesOfCart(tx, target.id);
  const byVariant = new Map(present.map((l) => [l.variantId, l]));
  let lineCount = present.length;

  for (const line of incoming) {
    const stock = available.get(line.variantId) ?? null;
    if (stock === null) continue;
    const existing = byVariant.get(line.variantId);
    const current = existing?.quantity ?? 0;
    const quantity = Math.max(current, Math.min(current + line.quantity, stock, MAX_LINE_QUANTITY));
    if (quantity === current) continue;
    if (existing) {
      await setLineQuantity(tx, target.id, existing.id, quantity);
    } else if (lineCount < MAX_LINES_PER_CART) {
      await insertLine(tx, { id: newLineId(), cartId: target.id, variantId: line.variantId, quantity });
      lineCount += 1;
    }
  }
  await markMerged(tx, anonymous.id);
  await bumpVersion(tx, target.id);
  return readSnapshot(tx, target.id);
}
