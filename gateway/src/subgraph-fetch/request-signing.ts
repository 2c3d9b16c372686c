import { signHeaders, type Signer } from '@ecom/platform/gateway-credential';
import type { RequestContext } from '@ecom/platform/request-context';

/**
 * Every subgraph request carries the client's identity, request id and remaining budget in headers
 * signed with the gateway's own key, for that subgraph (`target`), method and path; subgraphs trust
 * identity only through that signature, and roles only from the gateway. The signature covers the
 * body: the one string the data source serialised and sends, never a second serialisation of it.
 * Identity headers come from here alone, so nothing a client sent can pose as identity.
 */
export function signedHeaders(
  request: { method: string; path: string; body: string },
  context: Partial<RequestContext>,
  signer: Signer,
  target: string,
  budgetMs: number,
): Record<string, string> {
  return signHeaders(
    signer,
    { method: request.method, path: request.path, target },
    {
      requestId: context.requestId ?? '',
      userId: context.principal?.userId ?? null,
      roles: context.principal?.roles ?? [],
      deadlineMs: String(budgetMs),
      body: request.body,
    },
  );
}
