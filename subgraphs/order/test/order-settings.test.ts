import { describe, expect, it } from 'vitest';
import { orderSettings, orderSettingsFromEnv } from '../src/env.ts';

describe('order settings', () => {
  it('reads the reservation TTL and intervals from the environment, with the contract default of 900 s', () => {
    expect(orderSettingsFromEnv({})).toMatchObject({ reservationTtlSeconds: 900, expirySweepIntervalMs: 1_000, outboxRelayIntervalMs: 1_000 });
    expect(orderSettingsFromEnv({ RESERVATION_TTL_SECONDS: '60', ORDER_EXPIRY_SWEEP_INTERVAL_MS: '500' })).toMatchObject({
      reservationTtlSeconds: 60,
      expirySweepIntervalMs: 500,
    });
  });

  it('fails fast listing every bad variable', () => {
    expect(() => orderSettingsFromEnv({ RESERVATION_TTL_SECONDS: 'soon', ORDER_OUTBOX_RELAY_INTERVAL_MS: '0' })).toThrow(
      /RESERVATION_TTL_SECONDS[\s\S]*ORDER_OUTBOX_RELAY_INTERVAL_MS/,
    );
  });

  it('never takes a failpoint from the environment', () => {
    expect(orderSettingsFromEnv({ sagaFailpoint: 'after-reserve' }).sagaFailpoint).toBeUndefined();
  });

  it('honours a failpoint in tests and refuses one in production', () => {
    expect(orderSettings({ sagaFailpoint: 'after-reserve' }, { NODE_ENV: 'test' }).sagaFailpoint).toBe('after-reserve');
    expect(() => orderSettings({ sagaFailpoint: 'after-reserve' }, { NODE_ENV: 'production' })).toThrow(/refused in production/);
    expect(() => orderSettings({ sagaFailpoint: 'halfway' }, { NODE_ENV: 'test' })).toThrow(/sagaFailpoint/);
    expect(orderSettings(undefined, { NODE_ENV: 'production' }).reservationTtlSeconds).toBe(900);
  });
});
