import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { InboxTx } from '@ecom/platform/events/inbox';
import type { Db } from '@ecom/platform/db';
import type * as schema from './schema.ts';
import { products, sales, variants } from './schema.ts';

type ProductTx = Db<typeof schema> | InboxTx;

/** A variant the catalogue does not (yet) know: a fault, retried and then dead-lettered. */
export class UnknownVariantError extends Error {
  constructor(ids: string[]) {
    super(`unknown variants: ${ids.join(', ')}`);
    this.name = 'UnknownVariantError';
  }
}

/** Records a paid order's units per product and raises each product's unitsSold by them. */
export async function recordSale(db: ProductTx, orderId: string, lines: { variantId: string; quantity: number }[]): Promise<void> {
  if (lines.length === 0) return;
  const ids = [...new Set(lines.map((l) => l.variantId))];
  const owners = await db.select({ id: variants.id, productId: variants.productId }).from(variants).where(inArray(variants.id, ids));
  const productOf = new Map(owners.map((v) => [v.id, v.productId]));
  const unknown = ids.filter((id) => !productOf.has(id));
  if (unknown.length > 0) throw new UnknownVariantError(unknown);
  const units = new Map<string, number>();
  for (const l of lines) units.set(productOf.get(l.variantId)!, (units.get(productOf.get(l.variantId)!) ?? 0) + l.quantity);
  for (const [productId, quantity] of units) {
    const inserted = await db.insert(sales).values({ orderId, productId, quantity }).onConflictDoNothing().returning({ productId: sales.productId });
    if (inserted.length === 0) continue;
    await db
      .update(products)
      .set({ unitsSold: sql`${products.unitsSold} + ${quantity}` })
      .where(eq(products.id, productId));
  }
}

/** Takes a cancelled order's counted units back (once); nothing when its payment was never counted. */
export async function reverseSale(db: ProductTx, orderId: string, now: Date): Promise<void> {
  const reversed = await db
    .update(sales)
    .set({ reversedAt: now })
    .where(and(eq(sales.orderId, orderId), isNull(sales.reversedAt)))
    .returning({ productId: sales.productId, quantity: sales.quantity });
  for (const r of reversed) {
    await db
      .update(products)
      .set({ unitsSold: sql`greatest(0, ${products.unitsSold} - ${r.quantity})` })
      .where(eq(products.id, r.productId));
  }
}

export async function unitsSoldOf(db: Db<typeof schema>, productId: string): Promise<number | undefined> {
  const [row] = await db.select({ unitsSold: products.unitsSold }).from(products).where(eq(products.id, productId));
  return row?.unitsSold;
}
