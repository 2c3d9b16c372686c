import type { ServerResponse } from 'node:http';
import { fault, type FaultCode } from '@ecom/platform/errors';
import { sendFaults } from '@ecom/platform/http-host';

/**
 * A request turned away at the edge before Apollo sees it (too large, batched, over a rate limit,
 * not registered): one top-level error with a contract code, as every other fault is shaped.
 */
export interface Refusal {
  status: number;
  message: string;
  code: Extract<
    FaultCode,
    'INVALID_INPUT' | 'QUERY_TOO_COMPLEX' | 'RATE_LIMITED' | 'OPERATION_NOT_REGISTERED' | 'UNAUTHENTICATED' | 'SERVICE_UNAVAILABLE' | 'OVERLOADED'
  >;
  retryable: boolean;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export function refuse(res: ServerResponse, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  sendFaults(res, refusal.status, [fault(refusal.code, refusal.message, { retryable: refusal.retryable, ...refusal.extensions })]);
}
