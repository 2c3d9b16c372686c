import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from './logger.ts';
import type { CallerName } from './subgraph-names.ts';

/** Headers the gateway sets on every subgraph request. */
export const HEADERS = {
  requestId: 'x-request-id',
  userId: 'x-user-id',
  roles: 'x-user-roles',
  /** Milliseconds left of the client request's overall deadline when the gateway sent this one. */
  deadline: 'x-deadline-ms',
} as const;

export interface Principal {
  userId: string | null;
  roles: string[];
}

export interface RequestContext {
  requestId: string;
  principal: Principal;
  /** Epoch ms by which the answer must be on its way back. */
  deadline: number;
  logger: Logger;
}

/** What a subgraph knows of a request once its signature is checked: who signed it. */
export interface VerifiedRequestContext extends RequestContext {
  caller: CallerName;
}

const DEFAULT_BUDGET_MS = 10_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The context of a request whose signature `caller` made. The user id is taken from any trusted
 * caller: a sibling forwards the user its own request was made for (order's saga asks cart for
 * that user's cart). Roles only from the gateway, the one caller that checks a client's token: a
 * subgraph calling a sibling cannot claim to be an admin.
 */
export function requestContextFrom(headers: IncomingHttpHeaders, logger: Logger, caller: CallerName, now = Date.now()): VerifiedRequestContext {
  const requestId = header(headers, HEADERS.requestId) || randomUUID();
  const userId = header(headers, HEADERS.userId) || null;
  const roles =
    caller === 'gateway'
      ? (header(headers, HEADERS.roles) ?? '')
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean)
      : [];
  const budget = Number(header(headers, HEADERS.deadline));
  const deadline = now + (Number.isFinite(budget) && budget > 0 ? Math.min(budget, 60_000) : DEFAULT_BUDGET_MS);
  return { requestId, principal: { userId, roles }, deadline, caller, logger: logger.child({ requestId, caller }) };
}

export function hasRole(principal: Principal, role: string): boolean {
  return principal.roles.includes(role);
}
