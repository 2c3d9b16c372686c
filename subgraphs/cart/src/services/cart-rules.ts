import { domainError, type DomainErrorResult } from '@ecom/platform/errors';

export const MAX_LINE_QUANTITY = 99;
export const MAX_LINES_PER_CART = 100;
const MAX_ID_LENGTH = 200;

export type Invalid = DomainErrorResult<'ValidationError', { field: string }>;

export const invalid = (field: string, message: string): Invalid => domainError('ValidationError', message, { field });

export function checkQuantity(quantity: number, field = 'input.quantity'): Invalid | null {
  return Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_LINE_QUANTITY
    ? null
    : invalid(field, `Quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}.`);
}

export function checkId(value: string, field: string): Invalid | null {
  return value.trim().length > 0 && value.length <= MAX_ID_LENGTH ? null : invalid(field, `${field.split('.').pop()} must be a non-empty id.`);
}

/** 22 base64url characters carry 132 bits; a UUID (36 characters of the same alphabet) passes too. */
const LONG_BASE64URL = /^[A-Za-z0-9_-]{22,255}$/;

/**
 * An anonymous first add has no caller to scope its key to: the key alone replays the new cart and
 * its id, so it must be as unguessable as a cart id (128 random bits: a UUID, or 22+ base64url).
 */
export function checkAnonymousKey(key: string): Invalid | null {
  return LONG_BASE64URL.test(key)
    ? null
    : invalid(
        'idempotencyKey',
        'Without a cart and a sign-in, the idempotency key must be a random UUID or at least 22 random base64url characters.',
      );
}

export type NotFound = DomainErrorResult<'NotFoundError'>;
export type InsufficientStock = DomainErrorResult<'InsufficientStockError', { variantId: string; available: number }>;
export type VersionConflict = DomainErrorResult<'VersionConflictError', { currentVersion: number }>;

export const notFound = (what: 'cart' | 'line' | 'variant'): NotFound =>
  domainError(
    'NotFoundError',
    what === 'cart'
      ? 'No such cart. Check the cart id, or start a new cart by adding an item without one.'
      : what === 'line'
        ? 'This cart has no such line. Reload the cart and try again.'
        : 'No such product variant. Reload the product page and choose again.',
  );

export const insufficientStock = (variantId: string, available: number): InsufficientStock =>
  domainError(
    'InsufficientStockError',
    available > 0
      ? `Only ${available} of this item ${available === 1 ? 'is' : 'are'} available. Lower the quantity and try again.`
      : 'This item is out of stock.',
    { variantId, available },
  );

export const versionConflict = (currentVersion: number): VersionConflict =>
  domainError('VersionConflictError', 'The cart changed since you last loaded it. Reload it and apply your change again.', { currentVersion });
