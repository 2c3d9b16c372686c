import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from './logger.ts';

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

const DEFAULT_BUDGET_MS = 10_000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function requestContextFrom(headers: IncomingHttpHeaders, logger: Logger, now = Date.now()): RequestContext {
  const requestId = header(headers, HEADERS.requestId) || randomUUID();
  const userId = header(headers, HEADERS.userId) || null;
  const roles = (header(headers, HEADERS.roles) ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const budget = Number(header(headers, HEADERS.deadline));
  const deadline = now + (Number.isFinite(budget) && budget > 0 ? Math.min(budget, 60_000) : DEFAULT_BUDGET_MS);
  return { requestId, principal: { userId, roles }, deadline, logger: logger.child({ requestId }) };
}

export function hasRole(principal: Principal, role: string): boolean {
  return principal.roles.includes(role);
}
