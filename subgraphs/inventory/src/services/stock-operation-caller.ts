import { DOMAIN_ERRORS } from '@ecom/platform/errors';
import type { CallerName } from '@ecom/platform/env';
import { GraphQLError } from 'graphql';

/**
 * The order saga's stock steps answer the order subgraph alone. The caller is the one whose key
 * signed the request (platform gateway-credential.ts), so cart, which may read stock, cannot reserve
 * or release it, and the gateway never routes these @inaccessible fields. A refusal is a fault, not
 * a union member: only a misconfigured or compromised caller ever sees it.
 */
export function requireOrderCaller(caller: CallerName): void {
  if (caller === 'order') return;
  const { code, retryable } = DOMAIN_ERRORS.PermissionDeniedError;
  throw new GraphQLError(`Stock reservations are changed by the order service only, not by ${caller}.`, {
    extensions: { code, retryable, caller },
  });
}
