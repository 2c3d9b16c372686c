import type { DomainErrorFieldsFragment, ErrorCode } from '@ecom/schema/generated/operations';
import type { GraphError } from './graphql/client.ts';

type DomainErrorName = DomainErrorFieldsFragment['__typename'];

/** What a shopper reads for each typed error of the contract; exhaustive, so a new error fails typecheck. */
const DOMAIN_MESSAGES: Record<DomainErrorName, string> = {
  CartEmptyError: 'Your cart is empty: add something before checking out.',
  CouponInvalidError: "That coupon code isn't valid or has expired.",
  IdempotencyInProgressError: 'We are still working on your last request. Please wait a moment and try again.',
  IdempotencyKeyReusedError: 'That request was already used for something else. Please start again.',
  InsufficientStockError: "There isn't enough stock for that quantity.",
  InvalidStateError: "This order can't be changed that way any more.",
  LimitExceededError: 'You have too many orders awaiting payment: pay or cancel one before placing another.',
  NotFoundError: "We couldn't find that. It may have been removed.",
  PaymentDeclinedError: 'Your card was declined. Your order is still reserved: try another card.',
  PermissionDeniedError: "You don't have permission to do that.",
  PriceChangedError: 'Prices changed since you looked. Please review the new total.',
  UnauthenticatedError: 'Please sign in to continue.',
  ValidationError: 'Some details are not valid. Please check them.',
  VersionConflictError: 'Your cart changed in another tab or device. We refreshed it: please check and try again.',
};

/** The same for each code, as a cross-check that the codes and the types stay in step. */
export const CODE_MESSAGES: Record<ErrorCode, string> = {
  CART_EMPTY: DOMAIN_MESSAGES.CartEmptyError,
  COUPON_INVALID: DOMAIN_MESSAGES.CouponInvalidError,
  IDEMPOTENCY_IN_PROGRESS: DOMAIN_MESSAGES.IdempotencyInProgressError,
  IDEMPOTENCY_KEY_REUSED: DOMAIN_MESSAGES.IdempotencyKeyReusedError,
  INSUFFICIENT_STOCK: DOMAIN_MESSAGES.InsufficientStockError,
  INVALID_INPUT: DOMAIN_MESSAGES.ValidationError,
  INVALID_STATE: DOMAIN_MESSAGES.InvalidStateError,
  LIMIT_EXCEEDED: DOMAIN_MESSAGES.LimitExceededError,
  NOT_FOUND: DOMAIN_MESSAGES.NotFoundError,
  PAYMENT_DECLINED: DOMAIN_MESSAGES.PaymentDeclinedError,
  PERMISSION_DENIED: DOMAIN_MESSAGES.PermissionDeniedError,
  PRICE_CHANGED: DOMAIN_MESSAGES.PriceChangedError,
  UNAUTHENTICATED: DOMAIN_MESSAGES.UnauthenticatedError,
  VERSION_CONFLICT: DOMAIN_MESSAGES.VersionConflictError,
};

/** Top-level error codes (faults and refusals) of the contract, plus the browser's own network failure. */
const FAULT_MESSAGES: Record<string, string> = {
  TIMEOUT: 'That took too long. Please try again.',
  SERVICE_UNAVAILABLE: 'Part of the shop is unavailable right now. Please try again in a moment.',
  UNAUTHENTICATED: 'Your session has expired. Please sign in again.',
  RATE_LIMITED: 'Too many requests. Please wait a few seconds and try again.',
  QUERY_TOO_COMPLEX: 'That request was too large. Please narrow it down.',
  PERSISTED_QUERY_NOT_FOUND: 'The shop was updated. Please reload the page.',
  OPERATION_NOT_REGISTERED: 'The shop was updated. Please reload the page.',
  INVALID_INPUT: 'Some details are not valid. Please check them.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
  NETWORK: "We couldn't reach the shop. Check your connection and try again.",
};

export interface TypedError {
  __typename: DomainErrorName;
  message: string;
  field?: string | null;
  available?: number;
}

/** A shopper's message for a typed error, with its specifics (which field, how many are left). */
export function domainMessage(error: TypedError): string {
  const base = DOMAIN_MESSAGES[error.__typename];
  if (error.__typename === 'InsufficientStockError' && error.available !== undefined) return `${base} Only ${error.available} left.`;
  if (error.__typename === 'ValidationError' && error.field) return `${base} (${error.field.replace(/^.*\./, '')})`;
  return base;
}

export function faultMessage(errors: GraphError[]): string {
  const code = errors[0]?.extensions?.code;
  return (code && FAULT_MESSAGES[code]) ?? FAULT_MESSAGES.INTERNAL!;
}

/** Faults worth retrying with the same idempotency key. */
export function retryable(errors: GraphError[]): boolean {
  return errors.length === 0 || errors.some((e) => e.extensions?.retryable !== false);
}
