import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { fault } from '@ecom/platform/errors';
import type { RequestContext } from '@ecom/platform/request-context';
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { RateLimiter } from '../edge/rate-limit.ts';

const CHECKOUT_FIELD = 'placeOrder';

/**
 * `placeOrder` draws on a budget of its own per user (RATE_LIMIT_CHECKOUT_POINTS). The edge sees
 * only the raw operation, and a persisted query names no field until Apollo resolves it, so this is
 * checked once the operation is known. Anonymous callers are refused by
 * order itself (a checkout needs a user), so they draw nothing here.
 */
export function checkoutRateLimit(limiter: Pick<RateLimiter, 'admitCheckout'>): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const userId = contextValue.principal.userId;
      if (!userId) return;
      return {
        async didResolveOperation({ operation, document }) {
          if (operation?.operation !== 'mutation') return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
          );
          if (!selectsRootField(operation, fragments, CHECKOUT_FIELD)) return;
          const refusal = await limiter.admitCheckout(userId);
          if (!refusal) return;
          throw fault(refusal.code, refusal.message, {
            retryable: refusal.retryable,
            ...refusal.extensions,
            http: { status: refusal.status, headers: new HeaderMap(Object.entries(refusal.headers ?? {})) },
          });
        },
      };
    },
  };
}

/** Whether the operation's root selects `field`, directly or through fragments and inline fragments. */
function selectsRootField(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>, field: string): boolean {
  const seen = new Set<string>();
  const search = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === field;
      if (s.kind === Kind.INLINE_FRAGMENT) return search(s.selectionSet);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return search(fragment.selectionSet);
    });
  return search(operation.selectionSet);
}
