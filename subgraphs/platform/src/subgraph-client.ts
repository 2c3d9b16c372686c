import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type GraphQLError } from 'graphql';
import { serviceFault } from './errors.ts';
import type { SubgraphName } from './env.ts';
import { signHeaders, type Signer } from './gateway-credential.ts';
import type { RequestContext } from './request-context.ts';
import { traceHeaders } from './tracing.ts';

/**
 * Calls from one subgraph to another (the order saga, cart pricing). They go to the sibling
 * directly, signed with the calling subgraph's own key for that sibling, carrying the user's id
 * (never roles: a sibling honours roles from the gateway only), request id and what is left of
 * the deadline. Each call is a registered document (schema/operations/internal)
 * whose generated type fixes both the variables it takes and the data it answers.
 */
export interface SubgraphClient {
  request<TData, TVariables extends Record<string, unknown>>(
    target: SubgraphName,
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    ctx: Pick<RequestContext, 'requestId' | 'principal' | 'deadline'>,
    options?: { timeoutMs?: number },
  ): Promise<TData>;
}

/** Each document is printed once; the generated documents live as long as the process. */
const printed = new WeakMap<DocumentNode, string>();
const queryOf = (document: DocumentNode): string => {
  let query = printed.get(document);
  if (query === undefined) printed.set(document, (query = print(document)));
  return query;
};

/** The sibling answered with errors, or not at all. */
export class SubgraphCallError extends Error {
  constructor(
    readonly service: SubgraphName,
    message: string,
    readonly kind: 'timeout' | 'unavailable' | 'error',
  ) {
    super(message);
  }

  toGraphQLError(): GraphQLError {
    return serviceFault(this.kind === 'timeout' ? 'TIMEOUT' : 'SERVICE_UNAVAILABLE', { service: this.service });
  }
}

/** `signer` is the calling subgraph's own key; a subgraph without one (it calls no sibling) cannot call. */
export function createSubgraphClient(urls: Record<SubgraphName, string>, signer: Signer | undefined): SubgraphClient {
  return {
    async request<TData, TVariables extends Record<string, unknown>>(
      target: SubgraphName,
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
      ctx: Pick<RequestContext, 'requestId' | 'principal' | 'deadline'>,
      options: { timeoutMs?: number } = {},
    ): Promise<TData> {
      const remaining = Math.max(1, ctx.deadline - Date.now());
      const timeoutMs = Math.min(options.timeoutMs ?? remaining, remaining);
      if (!signer) throw new Error(`This subgraph has no signing key of its own: it may not call ${target}`);
      const body = JSON.stringify({ query: queryOf(document), variables });
      const url = new URL(urls[target]);
      const headers = signHeaders(
        signer,
        { method: 'POST', path: url.pathname + url.search, target },
        {
          requestId: ctx.requestId || randomUUID(),
          userId: ctx.principal.userId,
          roles: [],
          deadlineMs: String(timeoutMs),
          body,
        },
      );
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers, ...traceHeaders() },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new SubgraphCallError(target, timedOut ? 'timed out' : String(err), timedOut ? 'timeout' : 'unavailable');
      }
      const json = (await response.json().catch(() => null)) as { data?: TData; errors?: { message: string }[] } | null;
      if (!response.ok || !json || json.errors?.length || !json.data) {
        const detail = json?.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
        throw new SubgraphCallError(target, detail, response.status >= 500 || !json ? 'unavailable' : 'error');
      }
      return json.data;
    },
  };
}
