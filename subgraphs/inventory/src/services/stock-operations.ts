import { domainError, invalidArgument, type DomainErrorResult } from '@ecom/platform/errors';
import {
  availableUnits,
  insertReservation,
  insertReservationLines,
  releaseUnits,
  reservationLinesOf,
  reservationState,
  reserveUnits,
  restockUnits,
  sellUnits,
  transitionReservation,
  type ReservationLine,
} from '../db/reservations.ts';
import type { MovementKind, ReservationState } from '../db/schema.ts';
import { recordMovements, type Executor, type InventoryDb } from '../db/stock.ts';

/**
 * The order saga's steps. Each is idempotent per order id through the reservation's state machine
 * (RESERVED → RELEASED | SOLD, SOLD → RESTOCKED), so the saga may retry any step after a crash:
 * a step whose state was already reached, or passed, answers with the current state and changes
 * nothing. Every state change and its stock updates commit together or not at all.
 *
 * Who may call: the order subgraph only, by the key that signed the request
 * (stock-operation-caller.ts). The user's identity would add nothing: the order saga forwards the
 * shopper's and its expiry sweeper has none.
 */

/** The reservation's state after the call; NONE when the order has no reservation. */
export type OperationState = ReservationState | 'NONE';

export interface StockOperation {
  __typename: 'StockOperation';
  orderId: string;
  state: OperationState;
}

export interface ReserveStockInput {
  orderId: string;
  lines: ReservationLine[];
  expiresAt: string;
}

export const MAX_LINE_QUANTITY = 999;
const MAX_LINES = 200;
const MAX_ID_LENGTH = 255;

/** The one lock order for stock rows, shared by every path that touches several (code-unit order, not the db's collation). */
const byVariant = (a: ReservationLine, b: ReservationLine) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0);

const operation = (orderId: string, state: OperationState): StockOperation => ({ __typename: 'StockOperation', orderId, state });

function checkOrderId(orderId: string): void {
  if (orderId.length === 0 || orderId.length > MAX_ID_LENGTH) {
    throw invalidArgument(`orderId must be 1 to ${MAX_ID_LENGTH} characters.`, 'input.orderId');
  }
}

/**
 * The caller is another subgraph, so malformed input is a bug there: a top-level INVALID_INPUT
 * rather than a union member. Duplicate variants are merged; lines come back in lock order.
 */
function parseReservation(input: ReserveStockInput): { orderId: string; lines: ReservationLine[]; expiresAt: Date } {
  checkOrderId(input.orderId);
  if (input.lines.length === 0 || input.lines.length > MAX_LINES) {
    throw invalidArgument(`An order reserves 1 to ${MAX_LINES} lines.`, 'input.lines');
  }
  const merged = new Map<string, number>();
  input.lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      throw invalidArgument(`quantity must be 1 to ${MAX_LINE_QUANTITY}.`, `input.lines[${i}].quantity`);
    }
    if (line.variantId.length === 0 || line.variantId.length > MAX_ID_LENGTH) {
      throw invalidArgument(`variantId must be 1 to ${MAX_ID_LENGTH} characters.`, `input.lines[${i}].variantId`);
    }
    const quantity = (merged.get(line.variantId) ?? 0) + line.quantity;
    if (quantity > MAX_LINE_QUANTITY) {
      throw invalidArgument(`The lines for variant ${line.variantId} add up to more than ${MAX_LINE_QUANTITY} units.`, `input.lines[${i}].quantity`);
    }
    merged.set(line.variantId, quantity);
  });
  const expiresAt = new Date(input.expiresAt);
  if (Number.isNaN(expiresAt.getTime())) throw invalidArgument('expiresAt must be an ISO 8601 date-time.', 'input.expiresAt');
  const lines = [...merged].map(([variantId, quantity]) => ({ variantId, quantity })).sort(byVariant);
  return { orderId: input.orderId, lines, expiresAt };
}

function insufficient(variantId: string, available: number): DomainErrorResult<'InsufficientStockError', { variantId: string; available: number }> {
  const message =
    available > 0
      ? `Only ${available} of variant ${variantId} ${available === 1 ? 'is' : 'are'} available. Lower the quantity to ${available} or fewer.`
      : `Variant ${variantId} is out of stock. Remove it from the order.`;
  return domainError('InsufficientStockError', message, { variantId, available });
}

/** Thrown to roll the reservation back while still answering with the short line. */
class ShortLine extends Error {
  constructor(readonly result: ReturnType<typeof insufficient>) {
    super('insufficient stock');
  }
}

/** All lines or none, in one transaction. A repeat for a known order returns its state unchanged. */
export async function reserveStock(
  db: InventoryDb,
  input: ReserveStockInput,
): Promise<StockOperation | DomainErrorResult<'InsufficientStockError', { variantId: string; available: number }>> {
  const request = parseReservation(input);
  try {
    return await db.transaction(async (tx) => {
      if (!(await insertReservation(tx, request.orderId, request.expiresAt))) {
        // Already reserved (or sold, released, restocked): never reserve twice for one order.
        return operation(request.orderId, (await reservationState(tx, request.orderId)) ?? 'NONE');
      }
      for (const line of request.lines) {
        if (!(await reserveUnits(tx, line.variantId, line.quantity))) {
          throw new ShortLine(insufficient(line.variantId, await availableUnits(tx, line.variantId)));
        }
      }
      await insertReservationLines(tx, request.orderId, request.lines);
      await recordMovements(
        tx,
        request.lines.map((l) => ({ ...l, kind: 'RESERVED' as const, reference: request.orderId })),
      );
      return operation(request.orderId, 'RESERVED');
    });
  } catch (err) {
    if (err instanceof ShortLine) return err.result;
    throw err;
  }
}

/**
 * Moves an order's reservation from one state to the next and applies its stock effect per line,
 * guarded by `state = from` so of two concurrent calls only one applies. Any other state: no-op.
 */
async function transition(
  db: InventoryDb,
  orderId: string,
  step: { from: ReservationState; to: ReservationState; kind: MovementKind; apply: (db: Executor, line: ReservationLine) => Promise<void> },
): Promise<StockOperation> {
  checkOrderId(orderId);
  return db.transaction(async (tx) => {
    if (!(await transitionReservation(tx, orderId, step.from, step.to))) {
      return operation(orderId, (await reservationState(tx, orderId)) ?? 'NONE');
    }
    const lines = (await reservationLinesOf(tx, orderId)).sort(byVariant);
    for (const line of lines) await step.apply(tx, line);
    await recordMovements(
      tx,
      lines.map((l) => ({ ...l, kind: step.kind, reference: orderId })),
    );
    return operation(orderId, step.to);
  });
}

/** Cancel, decline or expiry: reserved units become available again. */
export const releaseStock = (db: InventoryDb, orderId: string) =>
  transition(db, orderId, { from: 'RESERVED', to: 'RELEASED', kind: 'RELEASED', apply: releaseUnits });

/** Payment: reserved units are sold. RELEASED comes back as is; the saga treats it as a failed payment. */
export const commitStock = (db: InventoryDb, orderId: string) =>
  transition(db, orderId, { from: 'RESERVED', to: 'SOLD', kind: 'SOLD', apply: sellUnits });

/** Refund of a paid order: its units go back on hand. */
export const restockOrder = (db: InventoryDb, orderId: string) =>
  transition(db, orderId, { from: 'SOLD', to: 'RESTOCKED', kind: 'RESTOCKED', apply: restockUnits });
