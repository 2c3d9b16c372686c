import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import {
  fingerprintOf,
  IN_PROGRESS_WAIT_MS,
  idempotencyKeysTable,
  runInTransaction,
  runWithLease,
  startIdempotencySweeper,
  sweepIdempotencyKeys,
} from '../src/idempotency.ts';
import { createLogger } from '../src/logger.ts';
import { backgroundFailures } from '../src/metrics.ts';
import { createTestDatabase } from '../src/test-database.ts';

const table = idempotencyKeysTable(pgSchema('idem'));
const DDL = `
  create schema if not exists idem;
  create table if not exists idem.idempotency_keys (
    scope text not null, key text not null, fingerprint text not null, status text not null,
    claim_token text not null, lease_until timestamptz, response jsonb,
    created_at timestamptz not null default now(), expires_at timestamptz not null,
    primary key (scope, key));
  create table if not exists idem.effects (id serial primary key, note text not null);`;

let db: Db;
let close: () => Promise<void>;
/** Postgres only: backends of this database waiting on a lock right now, seen from a connection of its own. */
let lockWaiters: (() => Promise<number>) | undefined;

beforeAll(async () => {
  const { databaseUrl } = testEnv();
  if (databaseUrl) {
    const database = await createTestDatabase(databaseUrl);
    const client = postgres(database.url, { max: 20, onnotice: () => {} });
    await client.unsafe(DDL);
    db = drizzlePostgres(client);
    const observer = postgres(database.url, { max: 1, onnotice: () => {} });
    lockWaiters = async () => {
      const [row] = await observer<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`;
      return row!.n;
    };
    close = async () => {
      await observer.end();
      await client.end();
      await database.drop();
    };
  } else {
    const client = new PGlite();
    await client.exec(DDL);
    db = drizzlePglite(client);
    close = () => client.close();
  }
});
afterAll(() => close());
beforeEach(async () => {
  await db.execute(sql`truncate idem.idempotency_keys, idem.effects`);
});

const effects = async () => {
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from idem.effects`);
  return ((rows as { rows?: { n: number }[] }).rows ?? (rows as { n: number }[]))[0]!.n;
};

const request = (key: string, input: Record<string, unknown> = { qty: 1 }) => ({ caller: 'user:u1', mutation: 'addThing', key, input });

describe('runInTransaction', () => {
  it('runs once and replays the stored result for the same key and input', async () => {
    let runs = 0;
    const exec = async (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => {
      runs += 1;
      await tx.execute(sql`insert into idem.effects (note) values ('x')`);
      return { __typename: 'Thing', id: `t${runs}` };
    };
    const first = await runInTransaction(db, table, request('k1'), exec);
    const again = await runInTransaction(db, table, request('k1'), exec);
    expect(first).toEqual({ __typename: 'Thing', id: 't1' });
    expect(again).toEqual(first);
    expect(runs).toBe(1);
    expect(await effects()).toBe(1);
  });

  it('answers IdempotencyKeyReusedError for the same key with other input, running nothing', async () => {
    await runInTransaction(db, table, request('k2', { qty: 1 }), async () => ({ __typename: 'Thing', id: 'a' }));
    const other = await runInTransaction(db, table, request('k2', { qty: 2 }), async () => {
      throw new Error('must not run');
    });
    expect(other).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
  });

  it('does not store a ValidationError and rolls back its writes', async () => {
    const invalid = await runInTransaction(db, table, request('k3', { qty: 0 }), async (tx) => {
      await tx.execute(sql`insert into idem.effects (note) values ('x')`);
      return { __typename: 'ValidationError', code: 'INVALID_INPUT', message: 'bad', retryable: false, field: 'input.qty' };
    });
    expect(invalid).toMatchObject({ __typename: 'ValidationError' });
    expect(await effects()).toBe(0);
    const corrected = await runInTransaction(db, table, request('k3', { qty: 1 }), async () => ({ __typename: 'Thing', id: 'ok' }));
    expect(corrected).toEqual({ __typename: 'Thing', id: 'ok' });
  });

  it('rejects malformed keys with a ValidationError', async () => {
    for (const key of ['', 'x'.repeat(256), 'tab\tkey', 'ключ']) {
      const res = await runInTransaction(db, table, request(key), async () => ({ __typename: 'Thing' }));
      expect(res).toMatchObject({ __typename: 'ValidationError', field: 'input.idempotencyKey' });
    }
  });

  it('runs once under 20 concurrent requests with one key; others replay or are told it is in progress', async () => {
    // PGlite is one session: there the 20 run one transaction after another and this shows only the
    // replay. On Postgres they must really overlap: some are seen waiting on the first one's claim.
    let runs = 0;
    let racing = true;
    const waiters: number[] = [];
    const watching = (async () => {
      while (racing && lockWaiters) {
        waiters.push(await lockWaiters());
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        runInTransaction(db, table, request('k4'), async (tx) => {
          runs += 1;
          await tx.execute(sql`insert into idem.effects (note) values ('x')`);
          await new Promise((r) => setTimeout(r, 300));
          return { __typename: 'Thing', id: 'only' };
        }),
      ),
    );
    racing = false;
    await watching;
    if (lockWaiters) expect(Math.max(...waiters)).toBeGreaterThan(0);
    expect(runs).toBe(1);
    expect(await effects()).toBe(1);
    for (const r of results) expect(['Thing', 'IdempotencyInProgressError']).toContain(r.__typename);
  });
  it('tells a duplicate that waited out the lock wait that the first is in progress; the work runs once', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let claimed!: () => void;
    const inside = new Promise<void>((r) => (claimed = r));
    const work = async (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => {
      runs += 1;
      await tx.execute(sql`insert into idem.effects (note) values ('held')`);
      claimed();
      await gate;
      return { __typename: 'Thing', id: 'held' };
    };
    const first = runInTransaction(db, table, request('k-held'), work);
    await inside;
    if (lockWaiters) {
      // The first holds its claim past IN_PROGRESS_WAIT_MS: the duplicate stops waiting and says so.
      const started = Date.now();
      const duplicate = await runInTransaction(db, table, request('k-held'), work);
      expect(duplicate).toMatchObject({ __typename: 'IdempotencyInProgressError', retryable: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(IN_PROGRESS_WAIT_MS - 100);
      release();
      expect(await first).toEqual({ __typename: 'Thing', id: 'held' });
    } else {
      // PGlite is one session: the duplicate's statements queue behind the first transaction, so it
      // can only ever see the stored result, never the in-progress answer.
      const duplicate = runInTransaction(db, table, request('k-held'), work);
      release();
      expect(await first).toEqual({ __typename: 'Thing', id: 'held' });
      expect(await duplicate).toEqual({ __typename: 'Thing', id: 'held' });
    }
    expect(runs).toBe(1);
    expect(await effects()).toBe(1);
  });
});

describe('runWithLease', () => {
  it('gives a stable seed, stores the result in the final transaction and replays it', async () => {
    const seeds: string[] = [];
    const exec = async (lease: { seed: string; complete: (tx: never, r: never) => Promise<boolean> }) => {
      seeds.push(lease.seed);
      const result = { __typename: 'Order', id: `ord_${lease.seed}` };
      await db.transaction(async (tx) => {
        await tx.execute(sql`insert into idem.effects (note) values ('order')`);
        expect(await lease.complete(tx as never, result as never)).toBe(true);
      });
      return result;
    };
    const first = await runWithLease(db, table, request('L1'), exec as never);
    const again = await runWithLease(db, table, request('L1'), exec as never);
    expect(again).toEqual(first);
    expect(seeds).toHaveLength(1);
    expect(await effects()).toBe(1);
  });

  it('gives requests whose parts differ different seeds, even when the parts contain separators', async () => {
    const seedOf = async (caller: string, key: string) => {
      let seed = '';
      await runWithLease(db, table, { caller, mutation: 'placeOrder', key, input: {} }, async (lease) => {
        seed = lease.seed;
        return { __typename: 'Thing' };
      });
      return seed;
    };
    // Joined with '|', both read "user:u|placeOrder|a|placeOrder|b".
    const first = await seedOf('user:u', 'a|placeOrder|b');
    const second = await seedOf('user:u|placeOrder|a', 'b');
    expect(first).toMatch(/^[0-9a-f]{24}$/);
    expect(second).not.toBe(first);
  });

  it('lets a retry take over after a crash, with the same seed', async () => {
    const seeds: string[] = [];
    await expect(
      runWithLease(db, table, request('L2'), async (lease) => {
        seeds.push(lease.seed);
        throw new Error('crash between steps');
      }),
    ).rejects.toThrow('crash');
    const retried = await runWithLease(db, table, request('L2'), async (lease) => {
      seeds.push(lease.seed);
      return { __typename: 'Order', id: `ord_${lease.seed}` };
    });
    expect(retried).toMatchObject({ __typename: 'Order' });
    expect(seeds[0]).toBe(seeds[1]);
  });

  it('tells a concurrent duplicate that the first is in progress, and never runs it twice', async () => {
    let runs = 0;
    const slow = runWithLease(db, table, request('L3'), async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 400));
      return { __typename: 'Order', id: 'o' };
    });
    await new Promise((r) => setTimeout(r, 50));
    const dup = await runWithLease(
      db,
      table,
      request('L3'),
      async () => {
        runs += 1;
        return { __typename: 'Order', id: 'o2' };
      },
      { waitMs: 100 },
    );
    expect(dup).toMatchObject({ __typename: 'IdempotencyInProgressError', retryable: true });
    expect(await slow).toEqual({ __typename: 'Order', id: 'o' });
    expect(runs).toBe(1);
    expect(await runWithLease(db, table, request('L3'), async () => ({ __typename: 'X' }))).toEqual({ __typename: 'Order', id: 'o' });
  });
});

describe('fingerprints and retention', () => {
  it('ignore key order, null members and the key itself', () => {
    expect(fingerprintOf({ a: 1, b: { c: 2, d: null }, idempotencyKey: 'x' })).toBe(fingerprintOf({ b: { c: 2 }, a: 1 }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: 2 }));
  });

  it('sweeps records past retention only', async () => {
    await runInTransaction(db, table, request('old'), async () => ({ __typename: 'Thing' }));
    expect(await sweepIdempotencyKeys(db, table, new Date())).toBe(0);
    expect(await sweepIdempotencyKeys(db, table, new Date(Date.now() + 25 * 3600_000))).toBe(1);
  });

  it('sweeps a backlog in bounded batches until none is left', async () => {
    for (let i = 0; i < 7; i++) await runInTransaction(db, table, request(`batch-${i}`), async () => ({ __typename: 'Thing' }));
    const statements: string[] = [];
    const counting = new Proxy(db, {
      get: (target, prop, receiver) => {
        if (prop === 'delete') statements.push('delete');
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    expect(await sweepIdempotencyKeys(counting, table, new Date(Date.now() + 25 * 3600_000), 3)).toBe(7);
    // 3 + 3 + 1: three bounded statements, the last one short.
    expect(statements).toHaveLength(3);
    expect(await sweepIdempotencyKeys(db, table, new Date(Date.now() + 25 * 3600_000), 3)).toBe(0);
  });

  it('runs the sweeper on the periodic runner and logs a failed run instead of swallowing it', async () => {
    const logged: unknown[] = [];
    const logger = createLogger('idempotency-test', 'silent');
    logger.error = (obj: unknown) => void logged.push(obj);
    const broken = idempotencyKeysTable(pgSchema('no_such_schema'));
    const sweeper = startIdempotencySweeper(db, broken, logger, 10);
    await expect.poll(() => logged.length, { timeout: 2_000 }).toBeGreaterThan(0);
    await sweeper.stop();
    expect(logged[0]).toMatchObject({ task: 'idempotency sweep' });
    const failures = (await backgroundFailures.get()).values.find((v) => v.labels.task === 'idempotency sweep');
    expect(failures?.value).toBeGreaterThanOrEqual(logged.length);
  });
});
