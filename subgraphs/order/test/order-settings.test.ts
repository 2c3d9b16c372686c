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

  it('fills in every default when given none', () => {
    expect(orderSettings(undefined).reservationTtlSeconds).toBe(900);
  });
});
