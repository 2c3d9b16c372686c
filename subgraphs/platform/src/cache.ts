import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
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

/** The in-process stand-in's cap: past it the least recently used entries go first. */
export const MEMORY_CACHE_MAX_ENTRIES = 50_000;
/** How often the in-process stand-in drops expired entries nobody read again. */
const SWEEP_EVERY_MS = 60_000;

export interface CacheOptions {
  /** In-process only (Redis is bounded by its TTLs and its own maxmemory). */
  maxEntries?: number;
}

export function createCache(redisUrl: string | undefined, logger?: Logger, prefix = 'ecom:', options: CacheOptions = {}): Cache {
  return redisUrl ? new RedisCache(redisUrl, prefix, logger) : new MemoryCache(options.maxEntries ?? MEMORY_CACHE_MAX_ENTRIES);
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

/**
 * The in-process stand-in for the embedded default. Bounded: keys can come from what clients ask
 * (last-known values per selection and entity), so a plain Map would grow until the process dies.
 */
class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly entries: LRUCache<string, string>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(maxEntries: number) {
    this.entries = new LRUCache<string, string>({ max: maxEntries });
    this.sweeper = setInterval(() => this.entries.purgeStale(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async get(key: string) {
    return this.entries.get(key);
  }

  async getMany(keys: string[]) {
    return keys.map((k) => this.entries.get(k));
  }

  async set(key: string, value: string, ttlMs: number) {
    this.entries.set(key, value, { ttl: ttlMs });
  }

  async setMany(entries: { key: string; value: string }[], ttlMs: number) {
    for (const e of entries) this.entries.set(e.key, e.value, { ttl: ttlMs });
  }

  async del(key: string) {
    this.entries.delete(key);
  }

  async close() {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
}
