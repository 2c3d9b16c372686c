import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '@ecom/platform/request-context';

const SUGGESTION = / ?Did you mean [^?]*\?/g;
// A separate, non-global copy for test(): a global regex carries lastIndex from call to call.
const HAS_SUGGESTION = / ?Did you mean [^?]*\?/;

/**
 * "Did you mean …?" hands a stranger the schema's names one guess at a time, introspection off or
 * not. Apollo's hideSchemaDetailsFromClientErrors covers validation; variable coercion ("Value
 * "TITEL" does not exist in "ProductSort" enum. Did you mean …") needs this last pass.
 */
export function hideSuggestions(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors?.some((e) => HAS_SUGGESTION.test(e.message))) return;
          response.body.singleResult.errors = errors.map((e) => ({ ...e, message: e.message.replace(SUGGESTION, '') }));
        },
      };
    },
  };
}
