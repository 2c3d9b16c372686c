import { dbPoolConnections } from './metrics.ts';

/**
 * `graph_db_pool_connections` for the db handles of this process. Neither driver reports its pool,
 * so each handle counts the work it has handed to the driver: a transaction holds a connection
 * from begin to end, a statement outside one holds it while it runs. Whatever is in flight beyond
 * the pool's size is waiting for a connection. postgres.js has `poolSize` connections; PGlite is
 * one connection that runs one statement or transaction at a time, the rest queue behind it.
 */
class PoolUsage implements PoolWatch {
  active = 0;
  private readonly listeners = new Set<(waiting: number) => void>();
  constructor(readonly size: number) {}

  get waiting(): number {
    return Math.max(0, this.active - this.size);
  }

  onChange(listener: (waiting: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    publish();
    for (const listener of this.listeners) listener(this.waiting);
  }
}

/** One db handle's pool, as load shedding reads it: its size, and work waiting for a connection. */
export interface PoolWatch {
  readonly size: number;
  readonly waiting: number;
  /** Called with `waiting` after every checkout and release; returns the unsubscribe. */
  onChange(listener: (waiting: number) => void): () => void;
}

const pools = new Set<PoolUsage>();

function publish(): void {
  let inUse = 0;
  let waiting = 0;
  let idle = 0;
  for (const pool of pools) {
    const busy = Math.min(pool.active, pool.size);
    inUse += busy;
    waiting += pool.active - busy;
    idle += pool.size - busy;
  }
  dbPoolConnections.set({ state: 'in_use' }, inUse);
  dbPoolConnections.set({ state: 'waiting' }, waiting);
  dbPoolConnections.set({ state: 'idle' }, idle);
}

function held<T>(pool: PoolUsage, work: () => Promise<T>): Promise<T> {
  pool.active += 1;
  pool.changed();
  const release = () => {
    pool.active -= 1;
    pool.changed();
  };
  let pending: Promise<T>;
  try {
    pending = work();
  } catch (err) {
    release();
    throw err;
  }
  return pending.then(
    (value) => {
      release();
      return value;
    },
    (err: unknown) => {
      release();
      throw err;
    },
  );
}

/** postgres.js runs a statement only once it is awaited, so the count starts at `then`, not at `unsafe`. */
function countedStatement<Q extends object>(query: Q, pool: PoolUsage): Q {
  return new Proxy(query, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'then') {
        return (onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) =>
          held(pool, () => Promise.resolve(target as unknown as PromiseLike<unknown>)).then(onFulfilled, onRejected);
      }
      // `.values()`, `.raw()`… answer the statement itself, still to be awaited.
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result === target ? countedStatement(target, pool) : result;
      };
    },
  });
}

/** Wraps what drizzle calls on a postgres.js client: `unsafe` per statement, `begin` per transaction. */
export function countPostgresPool<C extends object>(client: C, size: number): { client: C; pool: PoolWatch; release(): void } {
  const pool = new PoolUsage(size);
  pools.add(pool);
  publish();
  const counted = new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'unsafe' && typeof value === 'function') {
        return (...args: unknown[]) => countedStatement((value as (...a: unknown[]) => object).apply(target, args), pool);
      }
      if (prop === 'begin' && typeof value === 'function') {
        return (...args: unknown[]) => held(pool, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      }
      return value;
    },
  });
  return { client: counted, pool, release: () => (pools.delete(pool), publish()) };
}

/** Wraps what drizzle calls on PGlite (`query`, `exec`, `transaction`): one connection, the rest queue. */
export function countPgliteConnection<C extends object>(client: C): { client: C; pool: PoolWatch; release(): void } {
  const pool = new PoolUsage(1);
  pools.add(pool);
  publish();
  const counted = new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (prop === 'query' || prop === 'exec' || prop === 'transaction') {
        return (...args: unknown[]) => held(pool, () => fn.apply(target, args) as Promise<unknown>);
      }
      // PGlite keeps its state in private fields: its methods must run on the instance itself.
      return fn.bind(target);
    },
  });
  return { client: counted, pool, release: () => (pools.delete(pool), publish()) };
}
