import type { Fetcher } from '@graphiql/toolkit';
import { answerLog, type AnswerSummary } from './answer-log.ts';
import { devTokenHeader } from './dev-token.ts';
import { registeredFor } from './registered-operations.ts';

/** The gateway that served this page: same origin, so no CORS and no other host. */
export const GRAPHQL_URL = new URL('/graphql', window.location.origin).toString();

type RawError = { message?: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

/**
 * Sends what GraphiQL runs. A registered operation goes by its manifest hash (with its registered
 * text, so a gateway without the safelist registers it as an automatic persisted query), which is
 * what lets the explorer work against SAFELIST=true; anything else goes as plain text.
 */
export const gatewayFetcher: Fetcher = async (params, opts) => {
  const registered = typeof params.query === 'string' ? registeredFor(params.query) : undefined;
  const body = registered
    ? {
        query: registered.body,
        // A registered document holds one operation, and this is its name: GraphiQL's own
        // operationName can still be the previous tab's just after a tab switch.
        operationName: registered.name,
        variables: params.variables as Record<string, unknown> | undefined,
        extensions: { persistedQuery: { version: 1, sha256Hash: registered.id } },
      }
    : params;
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'apollographql-client-name': 'explorer',
      ...devTokenHeader(opts?.headers),
      ...(opts?.headers ?? {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: { data?: unknown; errors?: RawError[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
  }
  if (params.operationName !== 'IntrospectionQuery')
    answerLog.publish(summarize(registered?.name ?? params.operationName ?? undefined, response, json, registered?.id));
  return json as Awaited<ReturnType<Fetcher>>;
};

function summarize(
  operationName: string | undefined,
  response: Response,
  json: { data?: unknown; errors?: RawError[] },
  registeredId: string | undefined,
): AnswerSummary {
  return {
    operationName,
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    registeredId,
    hasData: json.data !== undefined && json.data !== null,
    errors: (json.errors ?? []).map((e) => ({
      message: e.message ?? '(no message)',
      code: stringOf(e.extensions?.code),
      service: stringOf(e.extensions?.service),
      path: e.path?.join('.'),
      retryable: typeof e.extensions?.retryable === 'boolean' ? e.extensions.retryable : undefined,
      stale: e.extensions?.stale === true,
      affectedCount: typeof e.extensions?.affectedCount === 'number' ? e.extensions.affectedCount : undefined,
    })),
  };
}

const stringOf = (v: unknown) => (typeof v === 'string' ? v : undefined);
