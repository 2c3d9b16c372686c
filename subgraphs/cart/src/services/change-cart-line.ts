import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import { bumpVersionIf, cartsByIds, deleteLines, lineOfCart, setLineQuantity, type CartDb } from '../db/carts.ts';
import { allOrNothing } from './all-or-nothing.ts';
import { callerScope } from './caller-scope.ts';
import type { CartEnv } from './cart-env.ts';
import {
  checkId,
  checkQuantity,
  insufficientStock,
  notFound,
  versionConflict,
  type InsufficientStock,
  type Invalid,
  type NotFound,
  type VersionConflict,
} from './cart-rules.ts';
import { isVisibleTo, readSnapshot, type CartSnapshot } from './cart-snapshot.ts';
import { CartMoved, idempotent, idempotentAfterCalls, type IdempotencyOutcome } from './idempotent.ts';
import { availabilityOf } from './stock-check.ts';

export interface UpdateCartLineInput {
  cartId: string;
  lineId: string;
  quantity: number;
  expectedVersion: number;
  idempotencyKey: string;
}

export type RemoveCartLineInput = Omit<UpdateCartLineInput, 'quantity'>;

type Changed = CartSnapshot | Invalid | NotFound | VersionConflict | InsufficientStock;

export async function updateCartLine(env: CartEnv, input: UpdateCartLineInput): Promise<Changed | IdempotencyOutcome> {
  const bad = checkQuantity(input.quantity) ?? checkId(input.cartId, 'input.cartId') ?? checkId(input.lineId, 'input.lineId');
  if (bad) return bad;
  return idempotentAfterCalls(
    env.db,
    { caller: callerScope(env.principal, input.cartId), mutation: 'updateCartLine', key: input.idempotencyKey, input: { ...input } },
    () => askStock(env, input),
    (tx, stock) => allOrNothing(tx, (sp) => change(sp, env, input, input.quantity, stock)),
  );
}

/** Units available of the line's variant (a line never changes variant); null without a visible line. */
async function askStock(env: CartEnv, input: UpdateCartLineInput): Promise<LineStock | null> {
  const [cart] = await cartsByIds(env.db, [input.cartId]);
  const line = cart && isVisibleTo(cart, env.principal) ? await lineOfCart(env.db, cart.id, input.lineId) : undefined;
  if (!line) return null;
  const available = (await withSiblingFaults(availabilityOf(env.subgraphs, env, [line.variantId]))).get(line.variantId) ?? null;
  return { variantId: line.variantId, available };
}

interface LineStock {
  variantId: string;
  available: number | null;
}

/** Removing checks no stock, so it never answers InsufficientStockError. */
export async function removeCartLine(env: CartEnv, input: RemoveCartLineInput): Promise<Exclude<Changed, InsufficientStock> | IdempotencyOutcome> {
  const bad = checkId(input.cartId, 'input.cartId') ?? checkId(input.lineId, 'input.lineId');
  if (bad) return bad;
  return idempotent(
    env.db,
    { caller: callerScope(env.principal, input.cartId), mutation: 'removeCartLine', key: input.idempotencyKey, input: { ...input } },
    (tx) => allOrNothing(tx, (sp) => change(sp, env, input, 0, null) as Promise<Exclude<Changed, InsufficientStock>>),
  );
}

/**
 * Optimistic locking: everything is checked first, then `version` is raised only where it still
 * equals expectedVersion. Every change to a cart's lines raises its version in the same
 * transaction, so a successful raise proves the lines read above are the ones the client saw.
 * Quantity 0 removes the line.
 */
async function change(tx: CartDb, env: CartEnv, input: RemoveCartLineInput, quantity: number, stock: LineStock | null): Promise<Changed> {
  const [cart] = await cartsByIds(tx, [input.cartId]);
  if (!cart || !isVisibleTo(cart, env.principal)) return notFound('cart');
  if (cart.version !== input.expectedVersion) return versionConflict(cart.version);
  const line = await lineOfCart(tx, cart.id, input.lineId);
  if (!line) return notFound('line');
  if (quantity > 0) {
    if (stock?.variantId !== line.variantId) throw new CartMoved();
    if (stock.available === null) return notFound('variant');
    if (quantity > stock.available) return insufficientStock(line.variantId, stock.available);
  }
  const raised = await bumpVersionIf(tx, cart.id, input.expectedVersion);
  if (raised === undefined) {
    const [now] = await cartsByIds(tx, [cart.id]);
    return now && isVisibleTo(now, env.principal) ? versionConflict(now.version) : notFound('cart');
  }
  if (quantity > 0) await setLineQuantity(tx, cart.id, line.id, quantity);
  else await deleteLines(tx, cart.id, [line.id]);
  return readSnapshot(tx, cart.id);
}
