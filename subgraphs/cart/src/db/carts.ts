import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '@ecom/platform/db';
import { cartCheckouts, cartLines, carts, type CartLineRow, type CartRow } from './schema.ts';

/** The subgraph's db or a transaction on it: every function here works on either. */
export type CartDb = Db;

const touched = { version: sql`${carts.version} + 1`, updatedAt: sql`now()` };

export const cartsByIds = (db: CartDb, ids: readonly string[]) =>
  db
    .select()
    .from(carts)
    .where(inArray(carts.id, [...ids]));

export const linesByCartIds = (db: CartDb, ids: readonly string[]) =>
  db
    .select()
    .from(cartLines)
    .where(inArray(cartLines.cartId, [...ids]))
    .orderBy(asc(cartLines.createdAt), asc(cartLines.id));

export async function openCartOfUser(db: CartDb, userId: string): Promise<CartRow | undefined> {
  const [row] = await db
    .select()
    .from(carts)
    .where(and(eq(carts.ownerUserId, userId), eq(carts.status, 'OPEN')));
  return row;
}

/** Locks the cart's row until the transaction ends: every change to a cart's lines is serialised on it. */
export async function lockCart(tx: CartDb, id: string): Promise<CartRow | undefined> {
  const [row] = await tx.select().from(carts).where(eq(carts.id, id)).for('update');
  return row;
}

export async function lockOpenCartOfUser(tx: CartDb, userId: string): Promise<CartRow | undefined> {
  const [row] = await tx
    .select()
    .from(carts)
    .where(and(eq(carts.ownerUserId, userId), eq(carts.status, 'OPEN')))
    .for('update');
  return row;
}

/** Nothing is inserted (undefined) when the user already has an open cart. */
export async function insertCart(tx: CartDb, values: { id: string; ownerUserId: string | null }): Promise<CartRow | undefined> {
  const [row] = await tx.insert(carts).values(values).onConflictDoNothing().returning();
  return row;
}

export async function bumpVersion(tx: CartDb, id: string, changes: { couponCode?: string | null } = {}): Promise<number> {
  const [row] = await tx
    .update(carts)
    .set({ ...touched, ...changes })
    .where(eq(carts.id, id))
    .returning({ version: carts.version });
  return row!.version;
}

/**
 * Optimistic lock: raises the version only if it still is `expected` and the cart is open.
 * Undefined means someone else changed (or closed) the cart first.
 */
export async function bumpVersionIf(tx: CartDb, id: string, expected: number): Promise<number | undefined> {
  const [row] = await tx
    .update(carts)
    .set(touched)
    .where(and(eq(carts.id, id), eq(carts.version, expected), eq(carts.status, 'OPEN')))
    .returning({ version: carts.version });
  return row?.version;
}

export async function markMerged(tx: CartDb, id: string): Promise<void> {
  await tx
    .update(carts)
    .set({ ...touched, status: 'MERGED' })
    .where(eq(carts.id, id));
}

export const linesOfCart = (db: CartDb, cartId: string) => linesByCartIds(db, [cartId]);

export async function lineOfCart(db: CartDb, cartId: string, lineId: string): Promise<CartLineRow | undefined> {
  const [row] = await db
    .select()
    .from(cartLines)
    .where(and(eq(cartLines.id, lineId), eq(cartLines.cartId, cartId)));
  return row;
}

export async function insertLine(tx: CartDb, values: { id: string; cartId: string; variantId: string; quantity: number }): Promise<void> {
  await tx.insert(cartLines).values(values);
}

export async function setLineQuantity(tx: CartDb, cartId: string, lineId: string, quantity: number): Promise<void> {
  await tx
    .update(cartLines)
    .set({ quantity })
    .where(and(eq(cartLines.id, lineId), eq(cartLines.cartId, cartId)));
}

export async function deleteLines(tx: CartDb, cartId: string, lineIds: readonly string[]): Promise<void> {
  if (lineIds.length === 0) return;
  await tx.delete(cartLines).where(and(eq(cartLines.cartId, cartId), inArray(cartLines.id, [...lineIds])));
}

/**
 * Deletes up to `limit` anonymous carts (open or merged) untouched since `before`, with their lines;
 * answers how many. Carts a request holds are skipped, and go on a later sweep if still idle.
 */
export async function deleteIdleAnonymousCarts(db: CartDb, before: Date, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    const idle = await tx
      .select({ id: carts.id })
      .from(carts)
      .where(and(isNull(carts.ownerUserId), lt(carts.updatedAt, before)))
      .limit(limit)
      .for('update', { skipLocked: true });
    const ids = idle.map((c) => c.id);
    if (ids.length === 0) return 0;
    await tx.delete(cartLines).where(inArray(cartLines.cartId, ids));
    await tx.delete(carts).where(inArray(carts.id, ids));
    return ids.length;
  });
}

/** False when this order's checkout was already recorded (the caller then changes nothing). */
export async function recordCheckout(tx: CartDb, values: { orderId: string; cartId: string }): Promise<boolean> {
  const inserted = await tx.insert(cartCheckouts).values(values).onConflictDoNothing().returning({ orderId: cartCheckouts.orderId });
  return inserted.length > 0;
}

export async function checkoutOfOrder(db: CartDb, orderId: string) {
  const [row] = await db.select().from(cartCheckouts).where(eq(cartCheckouts.orderId, orderId));
  return row;
}
