import { context, propagation, trace } from '@opentelemetry/api';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import type { TelemetrySettings } from './env.ts';

export interface Telemetry {
  /** Exports what is buffered now (tests, and before a process exits). */
  flush(): Promise<void>;
  /** Flushes, stops the SDK and unregisters it, so the process may start it again (tests). */
  shutdown(): Promise<void>;
}

const NOTHING: Telemetry = { flush: async () => {}, shutdown: async () => {} };

/**
 * The OpenTelemetry SDK of one process (the gateway, or one subgraph), started before it serves.
 *
 * @opentelemetry/sdk-node reads the standard OTEL_* variables itself, as it documents: exporter
 * (OTEL_TRACES_EXPORTER, default otlp), OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _PROTOCOL
 * (http/protobuf default, http/json, grpc) / _HEADERS / _TIMEOUT, OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, OTEL_PROPAGATORS. env.ts validates them first and
 * decides two things the SDK does not: OTEL_SDK_DISABLED starts nothing at all, and with no
 * exporter configured (no endpoint) no tracer provider is registered: the API's non-recording spans
 * cost next to nothing, while the context manager and W3C propagator still pass a caller's
 * traceparent through to the services this one calls.
 *
 * Nothing here patches modules at load time (no auto-instrumentation): our spans and Apollo
 * Gateway's go through @opentelemetry/api, whose tracers delegate to whatever provider is
 * registered when a span starts. So starting the SDK first thing in index.ts is enough, under tsx
 * and under compiled `node` alike; no `--import` preload is needed.
 */
export function startTelemetry(settings: TelemetrySettings): Telemetry {
  if (settings.disabled) return NOTHING;
  const sdk = new NodeSDK({
    // Merged under the detected resource: OTEL_SERVICE_NAME, when set, wins over this default.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': settings.defaultServiceName })),
    // No exporter configured: no span processor, hence no tracer provider (see above).
    ...(settings.exporting ? {} : { spanProcessors: [] }),
    // Metrics are not exported over OTLP; a Prometheus reader goes here when metrics arrive.
    metricReaders: [],
    // Logs go to stdout through pino, not through OpenTelemetry.
    logRecordProcessors: [],
  });
  sdk.start();
  const provider = () => trace.getTracerProvider() as { getDelegate?(): { forceFlush?(): Promise<void> } };
  return {
    async flush() {
      await provider().getDelegate?.().forceFlush?.();
    },
    async shutdown() {
      await sdk.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
