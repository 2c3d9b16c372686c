import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';

/**
 * Apollo Gateway's own `gateway.fetch` span (attribute `service`) is the active span while a
 * subgraph fetch runs; these add what it leaves out: the outcome (`ok`, `partial` when the subgraph
 * answered with errors, `error` when it did not answer usefully), the HTTP status when known, and
 * the error code the client sees for the fields this fetch should have filled.
 */
export function recordFetchAnswer(errors: readonly GraphQLFormattedError[] | undefined): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute('http.response.status_code', 200);
  if (!errors?.length) {
    span.setAttribute('graphql.fetch.result', 'ok');
    return;
  }
  span.setAttributes({
    'graphql.fetch.result': 'partial',
    'graphql.error.codes': [...new Set(errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL')))],
  });
}

/** The fetch failed: `fault` is the typed error the client gets (TIMEOUT, SERVICE_UNAVAILABLE, …). */
export function recordFetchFault(fault: GraphQLError, cause: unknown): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const status = (cause as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
  const code = String(fault.extensions.code);
  span.setAttributes({ 'graphql.fetch.result': 'error', 'graphql.error.codes': [code] });
  if (fault.extensions.circuit === 'open') span.setAttribute('breaker.state', 'open');
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}
