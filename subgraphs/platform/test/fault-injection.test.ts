import { describe, expect, it } from 'vitest';
import { faultsFrom } from '../src/env.ts';
import { beforeRequest, failpoint, noFaults } from '../src/fault-injection.ts';

const env = { NODE_ENV: 'test', FAULT_MODE: 'none', FAULT_DELAY_MS: 5_000, FAULT_FIELD_DELAYS: undefined } as const;

describe('fault injection', () => {
  it('reads delays and outages from the environment, never a failpoint', () => {
    expect(faultsFrom({ ...env, FAULT_MODE: 'delay', FAULT_DELAY_MS: 700, FAULT_FIELD_DELAYS: 'Variant.stock=2000' })).toEqual({
      ...noFaults(),
      mode: 'delay',
      delayMs: 700,
      fieldDelaysMs: { 'Variant.stock': 2_000 },
    });
    expect(faultsFrom(env).failpoint).toBeUndefined();
  });

  it('is refused in production: any fault from the environment fails the start, and none can be armed later', () => {
    expect(() => faultsFrom({ ...env, NODE_ENV: 'production', FAULT_MODE: 'error' })).toThrow(/refused in production/);
    expect(() => faultsFrom({ ...env, NODE_ENV: 'production', FAULT_FIELD_DELAYS: 'Variant.stock=2000' })).toThrow(/refused in production/);
    const faults = faultsFrom({ ...env, NODE_ENV: 'production' });
    expect(faults).toEqual(noFaults());
    expect(() => Object.assign(faults, { failpoint: 'after-reserve' })).toThrow(TypeError);
    expect(() => Object.assign(faults, { mode: 'error' })).toThrow(TypeError);
    expect(() => Object.assign(faults.fieldDelaysMs, { 'Variant.stock': 2_000 })).toThrow(TypeError);
    expect(() => failpoint(faults, 'after-reserve')).not.toThrow();
  });

  it('answers a request with a typed outage naming the service, or lets it through after the injected delay', async () => {
    const faults = noFaults();
    expect(await beforeRequest(faults, 'pricing')).toBeUndefined();

    faults.mode = 'error';
    const outage = await beforeRequest(faults, 'pricing');
    expect(outage?.status).toBe(503);
    expect(outage?.errors.map((e) => e.toJSON())).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', service: 'pricing', retryable: true }) }),
    ]);

    Object.assign(faults, { mode: 'delay', delayMs: 100 });
    const started = Date.now();
    expect(await beforeRequest(faults, 'pricing')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('crashes at the armed failpoint only, until it is disarmed', () => {
    const faults = noFaults();
    expect(() => failpoint(faults, 'after-reserve')).not.toThrow();
    faults.failpoint = 'after-reserve';
    expect(() => failpoint(faults, 'after-commit')).not.toThrow();
    expect(() => failpoint(faults, 'after-reserve')).toThrow(/simulated crash after-reserve/);
    Object.assign(faults, noFaults());
    expect(() => failpoint(faults, 'after-reserve')).not.toThrow();
  });
});
