import type { ApolloServerPlugin } from '@apollo/server';
import { FAULTS, INTERNAL_MESSAGE, isFaultCode } from '@ecom/platform/errors';
import type { Logger } from '@ecom/platform/logger';
import type { RequestContext } from '@ecom/platform/request-context';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Apollo's own codes for a request the client got wrong: the contract calls all of them INVALID_INPUT. */
const CLIENT_MISTAKES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Every error leaves with a contract code, `retryable`, and `service` when a subgraph is at fault;
 * an error with no code of ours becomes INTERNAL with a generic message (logged in full here).
 * Stack traces never leave: includeStacktraceInErrorResponses is off and `stacktrace` is dropped.
 */
export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { stacktrace: _stack, serviceName, exception: _exception, response: _response, ...extensions } = formatted.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : undefined;
    const service = extensions.service ?? serviceName;
    const withService = service === undefined ? {} : { service };

    // The contract's codes (errors.ts's table) pass; anything else is a fault of ours.
    if (isFaultCode(code) && code !== 'INTERNAL') {
      return {
        ...formatted,
        extensions: { ...extensions, code, ...withService, retryable: extensions.retryable ?? FAULTS[code].retryable },
      };
    }
    if (code && CLIENT_MISTAKES.has(code)) {
      return { ...formatted, extensions: { ...extensions, code: 'INVALID_INPUT', retryable: false } };
    }
    if (code !== 'INTERNAL') logger.error({ err: error, service }, 'unexpected error');
    return {
      message: INTERNAL_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL', ...withService, retryable: extensions.retryable ?? true, ...pick(extensions, 'requestId') },
    };
  };
}

function pick(extensions: Record<string, unknown>, key: string): Record<string, unknown> {
  return extensions[key] === undefined ? {} : { [key]: extensions[key] };
}

/** formatError cannot see the request; this stamps INTERNAL errors with the id the client can quote. */
export function requestIdOnFaults(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((e) =>
            e.extensions?.code === 'INTERNAL' ? { ...e, extensions: { ...e.extensions, requestId: contextValue.requestId } } : e,
          );
        },
      };
    },
  };
}

/**
 * A document with no operation of the name the request gives (or several and no name): Apollo
 * Server leaves that to the executor, and the gateway's throws an error with no contract code, which
 * would leave as INTERNAL, retryable. A client mistake: INVALID_INPUT, 400, before any planning.
 */
export function unresolvedOperation(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? `The document has no operation named "${request.operationName}".`
            : 'The document has more than one operation: name the one to run in operationName.';
          throw new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        },
      };
    },
  };
}
