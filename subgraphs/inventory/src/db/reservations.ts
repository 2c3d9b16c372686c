import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { reservationLines, reservations, stockLevels, type ReservationState } from './schema.ts';
import type { Executor } from './stock.ts';

export interface ReservationLine {
  variantId: string;
  quantity: number;
}

/**
 * Claims the order id. A concurrent call for the same order blocks on the primary key until the
 * first commits (then finds its row) or rolls back (then claims it itself). False when it exists.
 */
export async function insertReservation(db: Executor, orderId: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insert(reservations)
    .values({ orderId, state: 'RESERVED', expiresAt })
    .onConflictDoNothing()
    .returning({ orderId: reservations.orderId });
  return inserted.length > 0;
}

export async function reservationState(db: Executor, orderId: string): Promise<ReservationState | undefined> {
  const [row] = await db.select({ state: reservations.state }).from(reservations).where(eq(reservations.orderId, orderId));
  return row?.state;
}

/** Moves the reservation only from the expected state, so of two concurrent calls one applies. */
export async function transitionReservation(db: Executor, orderId: string, from: ReservationState, to: ReservationState): Promise<boolean> {
  const moved = await db
    .update(reservations)
    .set({ state: to, updatedAt: sql`now()` })
    .where(and(eq(reservations.orderId, orderId), eq(reservations.state, from)))
    .returning({ orderId: reservations.orderId });
  return moved.length > 0;
}

export async function insertReservationLines(db: Executor, orderId: string, lines: ReservationLine[]): Promise<void> {
  await db.insert(reservationLines).values(lines.map((l) => ({ orderId, ...l })));
}

export const reservationLinesOf = (db: Executor, orderId: string): Promise<ReservationLine[]> =>
  db
    .select({ variantId: reservationLines.variantId, quantity: reservationLines.quantity })
    .from(reservationLines)
    .where(eq(reservationLines.orderId, orderId));

/** Holds `quantity` units if that many are available right now; false otherwise (or unknown variant). */
export async function reserveUnits(db: Executor, variantId: string, quantity: number): Promise<boolean> {
  const updated = await db
    .update(stockLevels)
    .set({ reserved: sql`${stockLevels.reserved} + ${quantity}`, updatedAt: sql`now()` })
    .where(and(eq(stockLevels.variantId, variantId), sql`${stockLevels.onHand} - ${stockLevels.reserved} >= ${quantity}`))
    .returning({ variantId: stockLevels.variantId });
  return updated.length > 0;
}

export async function availableUnits(db: Executor, variantId: string): Promise<number> {
  const [row] = await db
    .select({ available: sql<number>`${stockLevels.onHand} - ${stockLevels.reserved}`.mapWith(Number) })
    .from(stockLevels)
    .where(eq(stockLevels.variantId, variantId));
  return row?.available ?? 0;
}

export async function releaseUnits(db: Executor, line: ReservationLine): Promise<void> {
  await db
    .update(stockLevels)
    .set({ reserved: sql`${stockLevels.reserved} - ${line.quantity}`, updatedAt: sql`now()` })
    .where(eq(stockLevels.variantId, line.variantId));
}

/** Reserved units leave the shelf: they are sold. */
export async function sellUnits(db: Executor, line: ReservationLine): Promise<void> {
  await db
    .update(stockLevels)
    .set({
      onHand: sql`${stockLevels.onHand} - ${line.quantity}`,
      reserved: sql`${stockLevels.reserved} - ${line.quantity}`,
      soldTotal: sql`${stockLevels.soldTotal} + ${line.quantity}`,
      updatedAt: sql`now()`,
    })
    .where(eq(stockLevels.variantId, line.variantId));
}

/** A refund: sold units come back on hand. */
export async function restockUnits(db: Executor, line: ReservationLine): Promise<void> {
  await db
    .update(stockLevels)
    .set({
      onHand: sql`${stockLevels.onHand} + ${line.quantity}`,
      soldTotal: sql`${stockLevels.soldTotal} - ${line.quantity}`,
      updatedAt: sql`now()`,
    })
    .where(eq(stockLevels.variantId, line.variantId));
}

/** Live reservations whose expiry passed before `cutoff`, oldest first. */
export const expiredReservationIds = async (db: Executor, cutoff: Date, limit: number): Promise<string[]> => {
  const rows = await db
    .select({ orderId: reservations.orderId })
    .from(reservations)
    .where(and(eq(reservations.state, 'RESERVED'), lt(reservations.expiresAt, cutoff)))
    .orderBy(asc(reservations.expiresAt))
    .limit(limit);
  return rows.map((r) => r.orderId);
};

/** Reservations still holding stock (the `graph_reservations_held` gauge). */
export async function heldReservationCount(db: Executor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(reservations)
    .where(eq(reservations.state, 'RESERVED'));
  return Number(row?.n ?? 0);
}
