import { demoProducts } from '@ecom/platform/demo-catalog';
import type { Executor } from './stock.ts';
import { stockLevels, stockMovements } from './schema.ts';

/**
 * Units on hand for a demo variant, derived from its indexes so every run seeds the same catalog
 * with all three statuses: every 10th product sold out, some products low on every variant, some
 * with a single low variant, some with one size sold out, the rest comfortably in stock.
 */
export function demoOnHand(productIndex: number, variantIndex: number): number {
  const slot = productIndex % 10;
  if (slot === 0) return 0;
  if (slot === 3) return 1 + ((productIndex + variantIndex) % 5);
  if (slot === 7) return variantIndex === 1 ? 2 : 0;
  if (slot === 5 && variantIndex === 2) return 0;
  return 20 + ((productIndex * 37 + variantIndex * 11) % 180);
}

/** Deterministic and idempotent: variants already stocked are left as they are, ledger included. */
export async function seedInventory(db: Executor): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = demoProducts().flatMap((p) =>
      p.variants.map((v) => {
        const onHand = demoOnHand(p.index, v.index);
        return { variantId: v.id, productId: p.id, onHand, reserved: 0, receivedTotal: onHand, soldTotal: 0 };
      }),
    );
    const inserted = await tx
      .insert(stockLevels)
      .values(rows)
      .onConflictDoNothing()
      .returning({ variantId: stockLevels.variantId, onHand: stockLevels.onHand });
    const received = inserted.filter((r) => r.onHand > 0);
    if (received.length > 0) {
      await tx
        .insert(stockMovements)
        .values(received.map((r) => ({ variantId: r.variantId, kind: 'RECEIVED' as const, quantity: r.onHand, reference: 'seed' })));
    }
  });
}
