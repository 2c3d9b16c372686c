import { GraphQLError } from 'graphql';

/** Error union members, by GraphQL type name, with the code and retryability the contract fixes. */
export const DOMAIN_ERRORS = {
  ValidationError: { code: 'INVALID_INPUT', retryable: false },
  NotFoundError: { code: 'NOT_FOUND', retryable: false },
  UnauthenticatedError: { code: 'UNAUTHENTICATED', retryable: false },
  PermissionDeniedError: { code: 'PERMISSION_DENIED', retryable: false },
  InsufficientStockError: { code: 'INSUFFICIENT_STOCK', retryable: false },
  VersionConflictError: { code: 'VERSION_CONFLICT', retryable: false },
  CartEmptyError: { code: 'CART_EMPTY', retryable: false },
  PriceChangedError: { code: 'PRICE_CHANGED', retryable: false },
  PaymentDeclinedError: { code: 'PAYMENT_DECLINED', retryable: false },
  InvalidStateError: { code: 'INVALID_STATE', retryable: false },
  CouponInvalidError: { code: 'COUPON_INVALID', retryable: false },
  IdempotencyKeyReusedError: { code: 'IDEMPOTENCY_KEY_REUSED', retryable: false },
  IdempotencyInProgressError: { code: 'IDEMPOTENCY_IN_PROGRESS', retryable: true },
} as const;

export type DomainErrorType = keyof typeof DOMAIN_ERRORS;
export type DomainErrorCode = (typeof DOMAIN_ERRORS)[DomainErrorType]['code'];

export type DomainErrorResult<T extends DomainErrorType = DomainErrorType, X extends object = object> = {
  __typename: T;
  code: (typeof DOMAIN_ERRORS)[T]['code'];
  message: string;
  retryable: boolean;
} & X;

/** An expected business outcome, returned as a member of a mutation's result union. */
export function domainError<T extends DomainErrorType, X extends object = object>(
  type: T,
  message: string,
  extra?: X,
): DomainErrorResult<T, X> {
  const { code, retryable } = DOMAIN_ERRORS[type];
  return { __typename: type, code, message, retryable, ...(extra as X) };
}

export function isDomainError(value: unknown): value is DomainErrorResult {
  return typeof value === 'object' && value !== null && '__typename' in value && (value as { __typename: string }).__typename in DOMAIN_ERRORS;
}

/** Top-level fault codes the contract allows. */
export type FaultCode =
  | 'TIMEOUT'
  | 'SERVICE_UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_COMPLEX'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'OPERATION_NOT_REGISTERED'
  | 'INVALID_INPUT'
  | 'INTERNAL';

export function fault(code: FaultCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const retryable = code === 'TIMEOUT' || code === 'SERVICE_UNAVAILABLE' || code === 'RATE_LIMITED';
  return new GraphQLError(message, { extensions: { code, retryable, ...extensions } });
}

/** Bad arguments on a query (mutations answer with ValidationError instead). */
export function invalidArgument(message: string, field: string): GraphQLError {
  return fault('INVALID_INPUT', message, { field });
}
