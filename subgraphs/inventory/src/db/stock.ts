import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@ecom/platform/db';
import { anyOf, preparedPer } from '@ecom/platform/prepared-query';
import type * as schema from './schema.ts';
import { stockLevels, stockMovements, type MovementKind } from './schema.ts';
import { appendStockCrossings } from './stock-outbox.ts';

export type InventoryDb = Db<typeof schema>;
/** A db or an open transaction of any schema: the statements here use no relational queries. */
export type Executor = Db;

const stockOfVariants = preparedPer((db: Executor) =>
  db.select().from(stockLevels).where(anyOf(stockLevels.variantId, 'ids')).prepare('inventory_stock_of_variants'),
);
export const stockByVariantIds = (db: Executor, ids: readonly string[]) => stockOfVariants(db).execute({ ids });

const availabilityOfProducts = preparedPer((db: Executor) =>
  db
    .select({
      productId: stockLevels.productId,
      available: sql<number>`sum(${stockLevels.onHand} - ${stockLevels.reserved})`.mapWith(Number),
    })
    .from(stockLevels)
    .where(anyOf(stockLevels.productId, 'ids'))
    .groupBy(stockLevels.productId)
    .prepare('inventory_availability_of_products'),
);
/** Units available per product, summed over its variants, in one grouped statement. */
export const availabilityByProductIds = (db: Executor, ids: readonly string[]) => availabilityOfProducts(db).execute({ ids });

export async function stockOfVariant(db: Executor, variantId: string) {
  const [row] = await db.select().from(stockLevels).where(eq(stockLevels.variantId, variantId));
  return row;
}

/**
 * Receives or writes off units in one conditional statement: the guard is evaluated on the row as
 * locked, so a concurrent reservation can never be undercut. Undefined when the guard refused (or
 * the variant is unknown). Adjustments count towards received_total so that
 * sold_total + on_hand = received_total keeps holding after a write-off.
 */
export async function adjustOnHand(db: Executor, variantId: string, delta: number) {
  const [row] = await db
    .update(stockLevels)
    .set({
      onHand: sql`${stockLevels.onHand} + ${delta}`,
      receivedTotal: sql`${stockLevels.receivedTotal} + ${delta}`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(stockLevels.variantId, variantId), sql`${stockLevels.onHand} + ${delta} >= ${stockLevels.reserved}`))
    .returning();
  return row;
}

export interface Movement {
  variantId: string;
  kind: MovementKind;
  quantity: number;
  reference: string;
  reason?: string | null;
  actor?: string | null;
}

/** Records movements already applied to the stock rows, with the stock events they raise. */
export async function recordMovements(db: Executor, movements: Movement[]): Promise<void> {
  if (movements.length === 0) return;
  await db.insert(stockMovements).values(movements);
  await appendStockCrossings(db, movements);
}
