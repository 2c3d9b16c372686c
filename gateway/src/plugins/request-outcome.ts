import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import type { RequestContext } from '@ecom/platform/request-context';
import type { GraphQLFormattedError } from 'graphql';
import type { RequestLedger } from '../edge/request-ledger.ts';

/** Codes a subgraph fetch leaves on the fields it could not fill: the answer is partial, not failed. */
const PARTIAL_CODES = new Set(['TIMEOUT', 'SERVICE_UNAVAILABLE']);

/**
 * Tells the request ledger what Apollo learnt: the operation's name and type, and how it ended —
 * `ok`, `partial` (data, with some fields empty because a subgraph failed: which ones), or the
 * first error's code. The access line and the request-duration histogram are written from it.
 */
export function recordRequestOutcome(ledger: RequestLedger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const facts = ledger.get(contextValue.requestId);
      if (facts && !facts.traceId) facts.traceId = trace.getActiveSpan()?.spanContext().traceId;
      return {
        async didResolveOperation({ operationName, operation }) {
          if (!facts) return;
          facts.operation = operationName ?? 'anonymous';
          facts.operationType = operation?.operation;
        },
        async willSendResponse({ response }) {
          if (!facts || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          Object.assign(facts, outcomeOf(data, errors));
        },
      };
    },
  };
}

export function outcomeOf(
  data: unknown,
  errors: readonly GraphQLFormattedError[] | undefined,
): { result: string; failedServices?: string[] } {
  if (!errors || errors.length === 0) return { result: 'ok' };
  const partial = data != null && errors.every((e) => PARTIAL_CODES.has(String(e.extensions?.code)) && typeof e.extensions?.service === 'string');
  if (partial) return { result: 'partial', failedServices: [...new Set(errors.map((e) => String(e.extensions?.service)))].sort() };
  const code = errors.find((e) => typeof e.extensions?.code === 'string')?.extensions?.code;
  return { result: typeof code === 'string' ? code : 'INTERNAL' };
}
