import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import { startMetricsServer, type MetricsServer } from '../src/metrics.ts';
import { createTestDatabase } from '../src/test-database.ts';

/** graph_db_pool_connections as Prometheus scrapes it, while transactions hold the pool. */
const POOL_SIZE = 2;
let handle: DbHandle<Record<string, unknown>>;
let metrics: MetricsServer;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const migrations = mkdtempSync(join(tmpdir(), 'pool-gauge-'));
  mkdirSync(join(migrations, 'meta'));
  writeFileSync(join(migrations, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [] }));
  const { databaseUrl } = testEnv();
  const database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  handle = await openDb({ schemaName: 'pool_gauge', schema: {}, migrationsFolder: migrations, databaseUrl: database?.url, poolSize: POOL_SIZE });
  metrics = await startMetricsServer(0, '127.0.0.1');
  cleanup = async () => {
    await metrics.stop();
    await handle.close();
    await database?.drop();
    rmSync(migrations, { recursive: true, force: true });
  };
});
afterAll(() => cleanup());

async function scrape(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^graph_db_pool_connections\{state="(\w+)"\} (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

describe('graph_db_pool_connections', () => {
  it('shows connections held by open transactions, and work waiting beyond the pool', async () => {
    const connections = handle.kind === 'postgres' ? POOL_SIZE : 1;
    expect(await scrape()).toEqual({ in_use: 0, waiting: 0, idle: connections });

    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      started.push(
        handle.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await gate;
        }),
      );
    }
    // Three transactions against `connections` connections: the rest wait.
    const held = await scrape();
    expect(held).toEqual({ in_use: connections, waiting: 3 - connections, idle: 0 });

    open();
    await Promise.all(started);
    expect(await scrape()).toEqual({ in_use: 0, waiting: 0, idle: connections });
  });
});
