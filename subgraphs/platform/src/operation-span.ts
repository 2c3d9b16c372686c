import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { SpanStatusCode, trace } from '@opentelemetry/api';

/** Codes of a partial answer: one service was slow or down, the rest of the answer stands. */
const PARTIAL_CODES = new Set(['TIMEOUT', 'SERVICE_UNAVAILABLE']);

/**
 * Names the server span (see tracing.ts serveTraced) after the GraphQL operation it serves:
 * `query CategoryListing`, with graphql.operation.name/type, and its result: `ok`, `partial` (with
 * the failed services) or the first error code. Apollo Server runs these hooks inside the server
 * span's context, so the active span is that span.
 */
export function operationSpan<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          if (!operation) return;
          const type = operation.operation;
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (!errors?.length) {
            span.setAttribute('graphql.result', 'ok');
            return;
          }
          const codes = [...new Set(errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL')))];
          const partial = codes.every((c) => PARTIAL_CODES.has(c)) && response.body.kind === 'single' && response.body.singleResult.data != null;
          span.setAttribute('graphql.error.codes', codes);
          if (partial) {
            const services = [...new Set(errors.map((e) => e.extensions?.service).filter((s): s is string => typeof s === 'string'))];
            span.setAttributes({ 'graphql.result': 'partial', 'graphql.partial.services': services });
          } else {
            span.setAttribute('graphql.result', codes[0]!);
            span.setStatus({ code: SpanStatusCode.ERROR, message: codes[0] });
          }
        },
      };
    },
  };
}
