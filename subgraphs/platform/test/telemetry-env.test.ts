import { describe, expect, it } from 'vitest';
import { telemetryFrom } from '../src/env.ts';

describe('telemetry settings', () => {
  it('exports only when an endpoint (or another exporter) is configured', () => {
    expect(telemetryFrom('product', {})).toEqual({ disabled: false, exporting: false, defaultServiceName: 'product' });
    expect(telemetryFrom('product', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exporting).toBe(true);
    expect(telemetryFrom('product', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).exporting).toBe(true);
    expect(telemetryFrom('product', { OTEL_TRACES_EXPORTER: 'console' }).exporting).toBe(true);
    expect(telemetryFrom('product', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exporting).toBe(false);
    expect(telemetryFrom('gateway', { OTEL_SDK_DISABLED: 'true' }).disabled).toBe(true);
  });

  it('refuses a bad value at start, naming every problem', () => {
    expect(() =>
      telemetryFrom('gateway', {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT[\s\S]*OTEL_EXPORTER_OTLP_PROTOCOL[\s\S]*OTEL_TRACES_SAMPLER/);
  });
});
