import type { GatewayGraphQLRequest } from '@apollo/server-gateway-interface';
import { signHeaders, type Signer } from '@ecom/platform/gateway-credential';
import { HEADERS, type RequestContext } from '@ecom/platform/request-context';

/**
 * Every subgraph request carries the client's identity, request id and remaining budget in headers
 * signed with the gateway's own key, for that subgraph (`target`), method and path; subgraphs trust
 * identity only through that signature, and roles only from the gateway. The signature covers the
 * body, so the body is serialised here exactly as RemoteGraphQLDataSource.sendRequest serialises
 * it: JSON.stringify of `{ query, ...rest }` without `http` (APQ stays off, so the request is not
 * changed after willSendRequest).
 */
export function signRequest(
  request: GatewayGraphQLRequest,
  context: Partial<RequestContext>,
  signer: Signer,
  target: string,
  budgetMs: number,
): void {
  const http = request.http!;
  const { http: _http, query, ...rest } = request;
  const body = JSON.stringify({ query, ...rest });
  const { pathname, search } = new URL(http.url);
  const signed = signHeaders(
    signer,
    { method: http.method, path: pathname + search, target },
    {
      requestId: context.requestId ?? '',
      userId: context.principal?.userId ?? null,
      roles: context.principal?.roles ?? [],
      deadlineMs: String(budgetMs),
      body,
    },
  );
  // Nothing a client sent may pose as identity: drop anything inherited before signing.
  for (const name of [HEADERS.userId, HEADERS.roles]) http.headers.delete(name);
  for (const [name, value] of Object.entries(signed)) http.headers.set(name, value);
}
