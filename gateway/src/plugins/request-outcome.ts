import type { ApolloServerPlugin } from '@apollo/server';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { trace } from '@opentelemetry/api';
import type { RequestContext } from '@ecom/platform/request-context';
import { validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { RequestLedger } from '../edge/request-ledger.ts';
import { withPageSizes } from './query-limits.ts';

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
        async didResolveOperation({ operationName, operation, schema, document, request }) {
          if (!facts) return;
          facts.operation = operationName ?? 'anonymous';
          facts.operationType = operation?.operation;
          facts.cost = queryCost(schema, document, request.variables ?? {});
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

export function outcomeOf(data: unknown, errors: readonly GraphQLFormattedError[] | undefined): { result: string; failedServices?: string[] } {
  if (!errors || errors.length === 0) return { result: 'ok' };
  const partial = data != null && errors.every((e) => PARTIAL_CODES.has(String(e.extensions?.code)) && typeof e.extensions?.service === 'string');
  if (partial) return { result: 'partial', failedServices: [...new Set(errors.map((e) => String(e.extensions?.service)))].sort() };
  const code = errors.find((e) => typeof e.extensions?.code === 'string')?.extensions?.code;
  return { result: typeof code === 'string' ? code : 'INTERNAL' };
}

/**
 * The cost the query limits put on this operation (graphql-armor's cost rule, page sizes written in,
 * as plugins/query-limits.ts computes it), for the access log. The limit itself is enforced there;
 * this pass only reads the number, which armor hands to `onAccept` synchronously during validate.
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): number | undefined {
  let cost: number | undefined;
  const rule = costLimitRule({
    maxCost: Number.MAX_SAFE_INTEGER,
    flattenFragments: true,
    propagateOnRejection: false,
    onAccept: [
      (_context, details) => {
        cost = (details as { n: number }).n;
      },
    ],
  });
  validate(schema, withPageSizes(document, variables), [rule]);
  return cost;
}
