import { randomUUID } from 'node:crypto';
import { signHeaders } from './gateway-credential.ts';

export interface CallAs {
  userId?: string | null;
  roles?: string[];
  requestId?: string;
  deadlineMs?: number;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Tests and tools call a subgraph as the gateway does: signed, with forwarded identity. */
export async function callSubgraph<T = Record<string, unknown>>(
  url: string,
  secret: string,
  query: string,
  variables: Record<string, unknown> = {},
  as: CallAs = {},
): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const signed = signHeaders(secret, {
    requestId: as.requestId ?? randomUUID(),
    userId: as.userId ?? null,
    roles: as.roles ?? [],
    deadlineMs: String(as.deadlineMs ?? 10_000),
    body,
  });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed, ...as.headers }, body });
  const json = (await res.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...json };
}
