import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { HEADERS } from './request-context.ts';

/**
 * Spans of our own, through @opentelemetry/api only (the SDK is set up in telemetry.ts). Apollo
 * Gateway's spans (gateway.request, .validate, .plan, .execute, .fetch, .postprocessing) come from
 * Apollo itself once a provider is registered; nothing here repeats them.
 */
const tracer = trace.getTracer('@ecom/platform');

/**
 * Which service a span belongs to, carried in the context from the server span down. One process
 * per service gets it from its resource's service.name too; when several services share a process
 * (tests, the benchmark) and hence one tracer provider, this attribute is what tells them apart.
 */
const SERVICE = createContextKey('ecom.service');
export const SERVICE_ATTRIBUTE = 'service.name';
export const REQUEST_ID_ATTRIBUTE = 'request.id';

const NOT_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

function withService(attributes: Attributes): Attributes {
  const service = context.active().getValue(SERVICE);
  return typeof service === 'string' ? { ...attributes, [SERVICE_ATTRIBUTE]: service } : attributes;
}

/**
 * Runs `run` in a child span of the current one, ended when it settles; a throw marks it failed.
 * With nothing recording above it (telemetry off, no endpoint, not sampled, or outside any request:
 * seeding, sweepers) no span is made at all, so the cost is one context lookup.
 */
export function traced<T>(
  name: string,
  run: (span: Span) => Promise<T>,
  attributes: Attributes = {},
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return run(NOT_RECORDING);
  return tracer.startActiveSpan(name, { kind, attributes: withService(attributes) }, async (span) => {
    try {
      return await run(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Sets attributes on the current span, if one is recording (e.g. `deadline.hit` on a batch span). */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** A named point in the current span, e.g. `idempotency.replay`. */
export function spanEvent(name: string, attributes: Attributes = {}): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.addEvent(name, attributes);
}

/** A state change worth its own span (a circuit breaker opening), under the current one if any. */
export function instantSpan(name: string, attributes: Attributes): void {
  tracer.startSpan(name, { attributes: withService(attributes) }).end();
}

/** The current trace context as W3C headers (`traceparent`, `tracestate`), for an outgoing request. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The same, written into a Fetch `Headers` (the gateway's subgraph requests). */
export function injectTraceHeaders(headers: { set(name: string, value: string): void }): void {
  for (const [name, value] of Object.entries(traceHeaders())) headers.set(name, value);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The server span of one GraphQL HTTP request to `service`, continuing the caller's W3C trace context
 * (`traceparent`). The caller's baggage is dropped: nothing a caller sends travels further as
 * context. The span ends when the response is finished or the connection closes, and carries the
 * request id (set by the handler as the x-request-id response header) and the HTTP status.
 */
export function serveTraced(service: string, req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Health and readiness probes (every few seconds, from every orchestrator) are not requests to trace.
  if (url.pathname !== '/graphql') return handle();
  const parent = propagation.deleteBaggage(propagation.extract(ROOT_CONTEXT, req.headers));
  const attributes: Attributes = { [SERVICE_ATTRIBUTE]: service, 'http.request.method': req.method ?? 'GET', 'url.path': url.pathname };
  const clientName = header(req, 'apollographql-client-name');
  const clientVersion = header(req, 'apollographql-client-version');
  if (clientName) attributes['graphql.client.name'] = clientName;
  if (clientVersion) attributes['graphql.client.version'] = clientVersion;
  const span = tracer.startSpan(`${req.method ?? 'GET'} ${url.pathname}`, { kind: SpanKind.SERVER, attributes }, parent);
  if (span.isRecording()) {
    res.once('close', () => {
      const requestId = res.getHeader(HEADERS.requestId);
      if (typeof requestId === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.response.aborted', true);
      span.end();
    });
  }
  return context.with(trace.setSpan(parent, span).setValue(SERVICE, service), handle);
}

/** One step of a saga (placeOrder's reserve stock, pay, release…): a span of its own. */
export function sagaStep<T>(saga: string, step: string, run: () => Promise<T>): Promise<T> {
  return traced(`${saga}.${step}`, run, { 'saga.name': saga, 'saga.step': step });
}
