import type { ApolloServerPlugin } from '@apollo/server';
import { subgraphRequests } from './metrics.ts';
import type { RequestContext } from './request-context.ts';

/**
 * One debug line per request a subgraph answers (the gateway's access line is the one per client
 * request; these are its parts, joined by request id), and the request-duration histogram by
 * operation and result. Never the variables: they hold cart ids and other credentials.
 */
export function logSubgraphRequests<TContext extends RequestContext>(service: string): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      let operation = 'unknown';
      let operationType = 'unknown';
      return {
        async didResolveOperation(ctx) {
          operation = ctx.operationName ?? 'anonymous';
          operationType = ctx.operation?.operation ?? 'unknown';
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.find((e) => typeof e.extensions?.code === 'string')?.extensions?.code;
          const result = errors?.length ? (typeof code === 'string' ? code : 'INTERNAL') : 'ok';
          const latencyMs = performance.now() - started;
          subgraphRequests.observe({ operation, result }, latencyMs / 1000);
          contextValue.logger.debug(
            {
              service,
              user: contextValue.principal.userId ?? 'anonymous',
              operation,
              operationType,
              result,
              latencyMs: Math.round(latencyMs * 10) / 10,
            },
            'subgraph request',
          );
        },
      };
    },
  };
}
