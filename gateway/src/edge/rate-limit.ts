import type { Logger } from '@ecom/platform/logger';
import type { Principal } from '@ecom/platform/request-context';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Refusal } from './refusal.ts';

export interface RateLimitSettings {
  /** Requests one principal (a user, else a client IP) may make per window. */
  points: number;
  windowSeconds: number;
  /**
   * Per app (`apollographql-client-name`): requests all its users together may make per window.
   * Only requests that run one of the app's registered operations draw on it (anyone can set the
   * header); a name not listed has no app-wide cap (each principal is still limited).
   */
  clients?: Record<string, number>;
  /**
   * `placeOrder` attempts one user may make per window, counted apart from (and well below) the
   * general budget: each attempt reserves stock, so a checkout loop is the cheapest way to hold it.
   * Unset: no separate budget.
   */
  checkoutPoints?: number;
  /** Redis key prefix, so tests sharing one Redis do not share counters. */
  keyPrefix?: string;
}

export interface RateLimiter {
  /** Counts one request against the principal (a user, else the client IP); a refusal when over. */
  admit(principal: Principal, clientIp: string | undefined): Promise<Refusal | undefined>;
  /** Counts one request against an app's budget; a refusal when over. Apps without a budget: never. */
  admitApp(clientName: string): Promise<Refusal | undefined>;
  /** Counts one `placeOrder` against the user's checkout budget; a refusal when over. */
  admitCheckout(userId: string): Promise<Refusal | undefined>;
  /**
   * Resolves once Redis is connected, or after a short wait if it is not: until then counts go to
   * memory, and a gateway that served its first requests that way would split each budget in two.
   */
  ready(): Promise<void>;
  close(): void;
}

const WARN_EVERY_MS = 10_000;
const READY_WAIT_MS = 1_000;

/** Counters only: no offline queue and no retries, so a request never waits on a Redis that is down. */
function connect(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 500 });
  let lastWarn = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastWarn < WARN_EVERY_MS) return;
    lastWarn = Date.now();
    logger.warn({ err: err.message }, 'rate-limit redis unavailable; counting in memory');
  });
  return redis;
}

/**
 * rate-limiter-flexible: counters in Redis when the gateway has one, so every gateway instance
 * shares them; in memory otherwise. With Redis unreachable each instance counts in memory (the
 * insurance limiter) rather than refusing everyone or letting everyone through.
 */
export function createRateLimiter(settings: RateLimitSettings, redisUrl: string | undefined, logger: Logger): RateLimiter {
  const redis = redisUrl ? connect(redisUrl, logger) : undefined;
  const prefix = settings.keyPrefix ?? 'ecom:rl';
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const options = { keyPrefix: `${prefix}:${name}`, points, duration: settings.windowSeconds };
    if (!redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
  };
  const perPrincipal = limiter('principal', settings.points);
  const perCheckout = settings.checkoutPoints === undefined ? undefined : limiter('checkout', settings.checkoutPoints);
  const perClient = new Map(Object.entries(settings.clients ?? {}).map(([name, points]) => [name, limiter(`client:${name}`, points)]));

  const consume = async (rl: RateLimiterAbstract, key: string, scope: string): Promise<Refusal | undefined> => {
    try {
      await rl.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return tooMany(rejection.msBeforeNext, scope);
      // Only reachable without an insurance limiter; a counting failure must not refuse the request.
      logger.warn({ err: rejection }, 'rate limiter failed; request let through');
      return undefined;
    }
  };

  return {
    admit(principal, clientIp) {
      const key = principal.userId ? `user:${principal.userId}` : `ip:${clientIp ?? 'unknown'}`;
      return consume(perPrincipal, key, 'principal');
    },
    async admitApp(clientName) {
      const app = perClient.get(clientName);
      return app ? consume(app, clientName, 'client') : undefined;
    },
    async admitCheckout(userId) {
      return perCheckout ? consume(perCheckout, `user:${userId}`, 'checkout') : undefined;
    },
    ready: () =>
      new Promise<void>((resolve) => {
        if (!redis || redis.status === 'ready') return resolve();
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, READY_WAIT_MS);
        redis.once('ready', done);
      }),
    close: () => redis?.disconnect(),
  };
}

const MESSAGES: Record<string, (seconds: number) => string> = {
  client: (seconds) => `This app is sending too many requests right now. Retry in ${seconds} s.`,
  checkout: (seconds) => `Too many checkout attempts. Retry in ${seconds} s.`,
};

function tooMany(msBeforeNext: number, scope: string): Refusal {
  const retryAfterMs = Math.max(1, Math.ceil(msBeforeNext));
  const seconds = Math.ceil(retryAfterMs / 1000);
  return {
    status: 429,
    code: 'RATE_LIMITED',
    retryable: true,
    message: MESSAGES[scope]?.(seconds) ?? `Too many requests. Retry in ${seconds} s.`,
    extensions: { retryAfterMs, scope },
    headers: { 'retry-after': String(seconds) },
  };
}
