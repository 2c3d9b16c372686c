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
  LimitExceededError: { code: 'LIMIT_EXCEEDED', retryable: false },
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
export function domainError<T extends DomainErrorType, X extends object = object>(type: T, message: string, extra?: X): DomainErrorResult<T, X> {
  const { code, retryable } = DOMAIN_ERRORS[type];
  return { __typename: type, code, message, retryable, ...(extra as X) };
}

export function isDomainError(value: unknown): value is DomainErrorResult {
  return typeof value === 'object' && value !== null && '__typename' in value && (value as { __typename: string }).__typename in DOMAIN_ERRORS;
}

/** What a fault is about: the service that failed, and the field it could not fill. */
export interface FaultSubject {
  service?: string;
  field?: string;
}

/** The generic answer to a fault of ours, for the client to quote the request id. */
export const INTERNAL_MESSAGE = 'Something went wrong on our side. Retry later; quote the request id if it persists.';

/**
 * Every top-level fault code the contract allows, with its retryability and the message a client
 * reads when the code's own words will do (callers with something more precise pass it instead).
 */
export const FAULTS = {
  TIMEOUT: {
    retryable: true,
    message: ({ service, field }: FaultSubject) =>
      field
        ? `${field} could not be loaded from ${service} in time. Retry shortly.`
        : `The ${service ?? 'request'} service did not answer in time. Retry shortly.`,
  },
  SERVICE_UNAVAILABLE: {
    retryable: true,
    message: ({ service }: FaultSubject) => `The ${service ?? 'requested'} service is unavailable right now. Retry shortly.`,
  },
  OVERLOADED: {
    retryable: true,
    message: ({ service }: FaultSubject) => `The ${service ?? 'graph'} is at capacity right now. Retry after the time in Retry-After.`,
  },
  UNAUTHENTICATED: { retryable: false, message: (_: FaultSubject) => 'Sign in to continue.' },
  RATE_LIMITED: { retryable: true, message: (_: FaultSubject) => 'Too many requests. Retry after the time in Retry-After.' },
  QUERY_TOO_COMPLEX: { retryable: false, message: (_: FaultSubject) => 'The query is too complex. Ask for less.' },
  PERSISTED_QUERY_NOT_FOUND: { retryable: false, message: (_: FaultSubject) => 'PersistedQueryNotFound' },
  OPERATION_NOT_REGISTERED: { retryable: false, message: (_: FaultSubject) => 'The operation is not registered.' },
  INVALID_INPUT: { retryable: false, message: (_: FaultSubject) => 'The request is not valid.' },
  INTERNAL: { retryable: false, message: (_: FaultSubject) => INTERNAL_MESSAGE },
} as const;

/** Top-level fault codes the contract allows. */
export type FaultCode = keyof typeof FAULTS;

export function isFaultCode(code: unknown): code is FaultCode {
  return typeof code === 'string' && Object.hasOwn(FAULTS, code);
}

/**
 * A top-level fault: `extensions.code`, `retryable` from the table (extensions may override it), and
 * the message given or the table's. `path` places it on the field it leaves null.
 */
export function fault(
  code: FaultCode,
  message: string | undefined,
  extensions: Record<string, unknown> = {},
  options: { path?: readonly (string | number)[] } = {},
): GraphQLError {
  const entry = FAULTS[code];
  return new GraphQLError(message ?? entry.message({}), { path: options.path, extensions: { code, retryable: entry.retryable, ...extensions } });
}

/** A fault about a service (and the field it could not fill), in the table's words, naming the service. */
export function serviceFault(
  code: 'TIMEOUT' | 'SERVICE_UNAVAILABLE' | 'INTERNAL',
  subject: FaultSubject & { service: string },
  extensions: Record<string, unknown> = {},
  options: { path?: readonly (string | number)[] } = {},
): GraphQLError {
  return fault(code, FAULTS[code].message(subject), { service: subject.service, ...extensions }, options);
}

/** Bad arguments on a query (mutations answer with ValidationError instead). */
export function invalidArgument(message: string, field: string): GraphQLError {
  return fault('INVALID_INPUT', message, { field });
}
