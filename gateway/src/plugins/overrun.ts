import type { ApolloServerPlugin } from '@apollo/server';
import { fault } from '@ecom/platform/errors';
import { refusedRequests } from '@ecom/platform/metrics';
import type { RequestContext } from '@ecom/platform/request-context';

const overrun = new WeakSet<object>();

/**
 * A fetch of this request failed through the gateway's own doing: the request's deadline ran out
 * before the subgraph could answer, too little was left to start it, or the event loop lagged.
 */
export function noteGatewayOverrun(context: object): void {
  overrun.add(context);
}

/**
 * A read that lost *everything* to the gateway's own overrun is not an answer: it is a request the
 * gateway took on and could not serve in time, which admission control exists to refuse. It is
 * answered as one: 503, Retry-After, `OVERLOADED`, retryable — never an outright failure that blames
 * a healthy subgraph. A read with some data keeps its typed partial answer; a mutation keeps its
 * fault (it may have run: the client retries with its idempotency key).
 */
export function overrunAsOverloaded(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation }) {
          if (!overrun.has(contextValue) || operation?.operation !== 'query' || response.body.kind !== 'single') return;
          const data = response.body.singleResult.data;
          if (data && Object.values(data).some((v) => v !== null && v !== undefined)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', '1');
          response.body.singleResult = {
            errors: [fault('OVERLOADED', undefined, { reason: 'deadline_overrun' }).toJSON()],
          };
          refusedRequests.inc({ reason: 'overloaded_overrun', code: 'OVERLOADED' });
        },
      };
    },
  };
}
