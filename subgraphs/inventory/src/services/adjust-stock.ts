import { domainError, type DomainErrorResult } from '@ecom/platform/errors';
import { runInTransaction } from '@ecom/platform/idempotency';
import { hasRole, type Principal } from '@ecom/platform/request-context';
import { idempotencyKeys } from '../db/schema.ts';
import { adjustOnHand, recordMovements, stockOfVariant, type InventoryDb } from '../db/stock.ts';
import { toStockLevel, type StockLevel } from './stock-level.ts';

export const MAX_ADJUSTMENT = 100_000;
export const MAX_REASON_LENGTH = 500;

export interface AdjustStockInput {
  variantId: string;
  delta: number;
  reason?: string | null;
  idempotencyKey: string;
}

type Invalid = DomainErrorResult<'ValidationError', { field: string }>;

/** Exactly the members of AdjustStockResult in the SDL. */
export type AdjustStockResult =
  | StockLevel
  | Invalid
  | DomainErrorResult<'NotFoundError'>
  | DomainErrorResult<'UnauthenticatedError'>
  | DomainErrorResult<'PermissionDeniedError'>
  | DomainErrorResult<'IdempotencyKeyReusedError'>
  | DomainErrorResult<'IdempotencyInProgressError'>;

function validate(input: AdjustStockInput): Invalid | null {
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > MAX_ADJUSTMENT) {
    return domainError(
      'ValidationError',
      `delta must be a non-zero number of units between -${MAX_ADJUSTMENT} and ${MAX_ADJUSTMENT}: positive for units received, negative for units written off.`,
      { field: 'input.delta' },
    );
  }
  if (input.reason != null && input.reason.length > MAX_REASON_LENGTH) {
    return domainError('ValidationError', `reason may be at most ${MAX_REASON_LENGTH} characters. Shorten it and send again.`, {
      field: 'input.reason',
    });
  }
  return null;
}

function belowReserved(onHand: number, reserved: number, delta: number): Invalid {
  const writable = onHand - reserved;
  const held = reserved > 0 ? `${reserved} of the ${onHand} units on hand are reserved for open orders` : `only ${onHand} units are on hand`;
  return domainError(
    'ValidationError',
    `Cannot write off ${-delta} units: ${held}, so at most ${writable} can be written off now. Lower the amount, or wait until those orders are paid or released.`,
    { field: 'input.delta' },
  );
}

/**
 * Back-office receipt or write-off. The stock row is changed by one conditional statement (never
 * read-modify-write), in the same transaction as the idempotency claim and the ledger entry.
 */
export async function adjustStock(db: InventoryDb, principal: Principal, input: AdjustStockInput): Promise<AdjustStockResult> {
  if (!principal.userId) return domainError('UnauthenticatedError', 'Sign in with a back-office account to adjust stock.');
  if (!hasRole(principal, 'admin')) {
    return domainError('PermissionDeniedError', 'Adjusting stock needs the admin role. Ask a back-office administrator for access.');
  }
  const invalid = validate(input);
  if (invalid) return invalid;

  const request = { caller: `user:${principal.userId}`, mutation: 'adjustStock', key: input.idempotencyKey, input: { ...input } };
  return runInTransaction(db, idempotencyKeys, request, async (tx): Promise<AdjustStockResult> => {
    const row = await adjustOnHand(tx, input.variantId, input.delta);
    if (!row) {
      const current = await stockOfVariant(tx, input.variantId);
      if (!current) return domainError('NotFoundError', `No stock is kept for variant ${input.variantId}. Check the variant id.`);
      return belowReserved(current.onHand, current.reserved, input.delta);
    }
    await recordMovements(tx, [
      {
        variantId: row.variantId,
        kind: 'ADJUSTED',
        quantity: input.delta,
        reference: input.idempotencyKey,
        reason: input.reason ?? null,
        actor: request.caller,
      },
    ]);
    return toStockLevel(row);
  });
}
