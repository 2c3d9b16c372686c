/** How a consumer retries one event before it gives up and dead-letters it. */
export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the event goes to the dead-letter queue. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Delay before attempt `failedAttempts + 1`: exponential, capped, with "equal jitter" (half fixed,
 * half random) so consumers that failed together do not retry together, yet never retry at once.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
