import type { DomainErrorResult } from '@ecom/platform/errors';
import type { Money } from '../generated/resolvers-types.ts';

/** The union members the order mutations answer with, each typed exactly (the resolvers check them against the SDL). */
export type NotFound = DomainErrorResult<'NotFoundError'>;
export type Unauthenticated = DomainErrorResult<'UnauthenticatedError'>;
export type CartEmpty = DomainErrorResult<'CartEmptyError'>;
export type PriceChanged = DomainErrorResult<'PriceChangedError', { expectedTotal: Money; actualTotal: Money }>;
export type PaymentDeclined = DomainErrorResult<'PaymentDeclinedError'>;
export type InvalidState = DomainErrorResult<'InvalidStateError'>;
export type Invalid = DomainErrorResult<'ValidationError', { field: string }>;
export type KeyReused = DomainErrorResult<'IdempotencyKeyReusedError'>;
export type LimitExceeded = DomainErrorResult<'LimitExceededError', { limit: number }>;

export type { IdempotencyOutcome } from '@ecom/platform/idempotency';
