import type { GatewayGraphQLRequest } from '@apollo/server-gateway-interface';
import { signHeaders } from '@ecom/platform/gateway-credential';
import { HEADERS, type RequestContext } from '@ecom/platform/request-context';

/**
 * Every subgraph request carries the caller's identity, request id and remaining budget in headers
 * signed with the shared gateway secret; subgraphs trust identity only through that signature. The
 * signature covers the body, so the body is serialised here exactly as
 * RemoteGraphQLDataSource.sendRequest serialises it: JSON.stringify of `{ query, ...rest }` without
 * `http` (APQ stays off, so the request is not changed after willSendRequest).
 */
export function signRequest(request: GatewayGraphQLRequest, context: Partial<RequestContext>, secret: string, budgetMs: number): void {
  const http = request.http!;
  const { http: _http, query, ...rest } = request;
  const body = JSON.stringify({ query, ...rest });
  const signed = signHeaders(secret, {
    requestId: context.requestId ?? '',
    userId: context.principal?.userId ?? null,
    roles: context.principal?.roles ?? [],
    deadlineMs: String(budgetMs),
    body,
  });
  // Nothing a client sent may pose as identity: drop anything inherited before signing.
  for (const name of [HEADERS.userId, HEADERS.roles]) http.headers.delete(name);
  for (const [name, value] of Object.entries(signed)) http.headers.set(name, value);
}
