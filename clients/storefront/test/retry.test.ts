import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryAfterMs, type Answer } from '../src/graphql/client.ts';
import { PlaceOrderDocument } from '@ecom/schema/generated/operations';
import { retryDelayMs, runAction } from '../src/graphql/run-action.ts';
import { ActionKey } from '../src/idempotency.ts';

const overloaded = (retryAfterMs?: number): Answer<unknown> => ({
  kind: 'failed',
  status: 503,
  requestId: null,
  errors: [{ message: 'overloaded', extensions: { code: 'OVERLOADED', retryable: true } }],
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs(' 3 ')).toBe(3000);
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(retryAfterMs('Thu, 03 Dec 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Thu, 03 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('')).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
  });

  it('a retry waits at least what the gateway asked, else a growing step, plus up to half again at random', () => {
    expect(retryDelayMs(overloaded(2000), 1, () => 0)).toBe(2000);
    expect(retryDelayMs(overloaded(2000), 1, () => 1)).toBe(3000);
    expect(retryDelayMs(overloaded(), 1, () => 0)).toBe(400);
    expect(retryDelayMs(overloaded(), 3, () => 0)).toBe(1200);
    // The larger of the two: a short Retry-After does not make a later attempt come back sooner.
    expect(retryDelayMs(overloaded(100), 2, () => 0)).toBe(800);
    const spread = new Set(Array.from({ length: 20 }, () => retryDelayMs(overloaded(1000), 1)));
    expect(spread.size).toBeGreaterThan(1);
    for (const delay of spread) {
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(1500);
    }
  });
});

describe('runAction after a refusal', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('comes back no sooner than Retry-After, with the same idempotency key', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('sessionStorage', { getItem: () => null });
    const sent: { at: number; key: string }[] = [];
    const start = Date.now();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: { body: string }) => {
        const { variables } = JSON.parse(init.body) as { variables: { idempotencyKey: string } };
        sent.push({ at: Date.now() - start, key: variables.idempotencyKey });
        if (sent.length === 1) {
          return new Response(JSON.stringify({ errors: [{ message: 'overloaded', extensions: { code: 'OVERLOADED', retryable: true } }] }), {
            status: 503,
            headers: { 'retry-after': '2' },
          });
        }
        return new Response(JSON.stringify({ data: { placeOrder: { __typename: 'Order', id: 'ord-1' } } }), { status: 200 });
      }),
    );
    const key = new ActionKey();
    const answer = runAction(PlaceOrderDocument, 'placeOrder', key, (idempotencyKey) => ({ input: { cartId: 'c', idempotencyKey } }) as never);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_001);
    expect((await answer).kind).toBe('data');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.at).toBeGreaterThanOrEqual(2000);
    expect(sent[1]!.key).toBe(sent[0]!.key);
  });

  it('hands a long Retry-After back to the page instead of waiting it out, keeping the key', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('sessionStorage', { getItem: () => null });
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify({ errors: [{ message: 'too many', extensions: { code: 'RATE_LIMITED', retryable: true } }] }), {
          status: 429,
          headers: { 'retry-after': '60' },
        }),
    );
    vi.stubGlobal('fetch', fetch);
    const key = new ActionKey();
    const first = key.current();
    const answer = await runAction(PlaceOrderDocument, 'placeOrder', key, (idempotencyKey) => ({ input: { cartId: 'c', idempotencyKey } }) as never);
    expect(answer).toMatchObject({ kind: 'failed', status: 429, retryAfterMs: 60_000 });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(key.current()).toBe(first);
  });
});
