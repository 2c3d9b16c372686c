import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '@ecom/platform/request-context';

export interface DeadlineSettings {
  /** A read must answer within this, with whatever it has (the listing promise: 500 ms). */
  queryMs: number;
  /** A mutation may take longer (a saga); it is never cut short into a fallback. */
  mutationMs: number;
}

/**
 * Sets the request's overall deadline once the operation type is known. What is left of it goes to
 * every subgraph (x-deadline-ms) and caps each fetch, so a plan of several fetches cannot overrun.
 */
export function requestDeadline(settings: DeadlineSettings): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = Date.now();
      return {
        async didResolveOperation({ operation }) {
          const budget = operation?.operation === 'mutation' ? settings.mutationMs : settings.queryMs;
          contextValue.deadline = Math.min(contextValue.deadline, started + budget);
        },
      };
    },
  };
}
