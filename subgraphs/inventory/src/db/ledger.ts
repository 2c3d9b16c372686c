import { eq, sql } from 'drizzle-orm';
import { stockLevels, stockMovements, type MovementKind } from './schema.ts';
import type { Executor } from './stock.ts';

const total = (...kinds: MovementKind[]) =>
  sql<number>`coalesce(sum(${stockMovements.quantity}) filter (where ${stockMovements.kind} in (${sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  )})), 0)`.mapWith(Number);

/**
 * Variants whose stock level disagrees with the invariants or with its own movement ledger:
 * sold_total + on_hand = received_total, and each counter equals what the ledger adds up to.
 * Empty when the books balance.
 */
export async function ledgerDiscrepancies(db: Executor) {
  const ledgerReceived = total('RECEIVED', 'ADJUSTED');
  const ledgerSold = sql<number>`${total('SOLD')} - ${total('RESTOCKED')}`.mapWith(Number);
  const ledgerReserved = sql<number>`${total('RESERVED')} - ${total('RELEASED')} - ${total('SOLD')}`.mapWith(Number);
  return db
    .select({
      variantId: stockLevels.variantId,
      onHand: stockLevels.onHand,
      reserved: stockLevels.reserved,
      receivedTotal: stockLevels.receivedTotal,
      soldTotal: stockLevels.soldTotal,
      ledgerReceived,
      ledgerSold,
      ledgerReserved,
    })
    .from(stockLevels)
    .leftJoin(stockMovements, eq(stockMovements.variantId, stockLevels.variantId))
    .groupBy(stockLevels.variantId)
    .having(
      sql`not (
        ${stockLevels.soldTotal} + ${stockLevels.onHand} = ${stockLevels.receivedTotal}
        and ${stockLevels.receivedTotal} = ${ledgerReceived}
        and ${stockLevels.soldTotal} = ${ledgerSold}
        and ${stockLevels.reserved} = ${ledgerReserved}
      )`,
    );
}
