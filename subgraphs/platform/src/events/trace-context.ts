import { context, propagation } from '@opentelemetry/api';
import type { EventHeaders } from './envelope.ts';

/**
 * The active trace context as message headers (`traceparent`, `tracestate`, baggage), through the
 * globally registered propagator: a no-op until the OpenTelemetry SDK is installed, then the
 * consumer's work joins the trace of the request that caused the event.
 */
export function currentTraceHeaders(): EventHeaders {
  const carrier: EventHeaders = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `fn` inside the trace context carried by an event's headers. */
export function withTraceHeaders<T>(headers: EventHeaders | undefined, fn: () => Promise<T>): Promise<T> {
  const parent = propagation.extract(context.active(), headers ?? {});
  return context.with(parent, fn);
}
