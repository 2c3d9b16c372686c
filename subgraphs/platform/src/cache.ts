import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * What the platform keeps in Redis: only things that can be rebuilt (last-known values,
 * short-lived hints). Every operation degrades to a miss when Redis is unreachable, so no
 * correctness path depends on it.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  getMany(keys: string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  setMany(entries: { key: string; value: string }[], ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  close(): Promise<void>;
}

export function createCache(redisUrl: string | undefined, logger?: Logger, prefix = 'ecom:'): Cache {
  return redisUrl ? new RedisCache(redisUrl, prefix, logger) : new MemoryCache();
}

class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private lastWarn = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {
    // No offline queue and one quick retry: a request must not wait on a Redis that is down.
    this.redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 500 });
    this.redis.on('error', (err) => this.warn(err));
  }

  private warn(err: unknown) {
    const now = Date.now();
    if (now - this.lastWarn > 10_000) {
      this.lastWarn = now;
      this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'redis unavailable; cache degraded to misses');
    }
  }

  async get(key: string) {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch (err) {
      this.warn(err);
      return undefined;
    }
  }

  async getMany(keys: string[]) {
    if (keys.length === 0) return [];
    try {
      const values = await this.redis.mget(keys.map((k) => this.prefix + k));
      return values.map((v) => v ?? undefined);
    } catch (err) {
      this.warn(err);
      return keys.map(() => undefined);
    }
  }

  async set(key: string, value: string, ttlMs: number) {
    try {
      await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
    } catch (err) {
      this.warn(err);
    }
  }

  async setMany(entries: { key: string; value: string }[], ttlMs: number) {
    if (entries.length === 0) return;
    try {
      const pipeline = this.redis.pipeline();
      for (const e of entries) pipeline.set(this.prefix + e.key, e.value, 'PX', ttlMs);
      await pipeline.exec();
    } catch (err) {
      this.warn(err);
    }
  }

  async del(key: string) {
    try {
      await this.redis.del(this.prefix + key);
    } catch (err) {
      this.warn(err);
    }
  }

  async close() {
    this.redis.disconnect();
  }
}

/** The in-process stand-in for the embedded default. */
class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  async get(key: string) {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  async getMany(keys: string[]) {
    return Promise.all(keys.map((k) => this.get(k)));
  }

  async set(key: string, value: string, ttlMs: number) {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async setMany(entries: { key: string; value: string }[], ttlMs: number) {
    for (const e of entries) await this.set(e.key, e.value, ttlMs);
  }

  async del(key: string) {
    this.entries.delete(key);
  }

  async close() {
    this.entries.clear();
  }
}
