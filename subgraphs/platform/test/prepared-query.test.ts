import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db, type DbHandle } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import { anyOf, preparedPer } from '../src/prepared-query.ts';
import { createTestDatabase } from '../src/test-database.ts';

/** Loader statements built once per executor, one text for any number of keys, on this run's driver. */
const schema = pgSchema('prepared_query');
const things = schema.table('things', { id: text('id').primaryKey(), label: text('label').notNull() });

let handle: DbHandle<Record<string, unknown>>;
const statements: string[] = [];
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const migrations = mkdtempSync(join(tmpdir(), 'prepared-query-'));
  mkdirSync(join(migrations, 'meta'));
  writeFileSync(join(migrations, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [] }));
  const { databaseUrl } = testEnv();
  const database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  handle = await openDb({
    schemaName: 'prepared_query',
    schema: {},
    migrationsFolder: migrations,
    databaseUrl: database?.url,
    onStatement: (s) => statements.push(s),
  });
  await handle.db.execute(sql`create schema prepared_query`);
  await handle.db.execute(sql`create table prepared_query.things (id text primary key, label text not null)`);
  await handle.db.insert(things).values([
    { id: 'a', label: 'A' },
    { id: 'b', label: 'B' },
    { id: 'c', label: 'C' },
  ]);
  cleanup = async () => {
    await handle.close();
    await database?.drop();
    rmSync(migrations, { recursive: true, force: true });
  };
});
afterAll(() => cleanup());

describe('preparedPer with anyOf', () => {
  it('answers every batch size with one statement text, built once per executor', async () => {
    let builds = 0;
    const labels = preparedPer((db: Db) => {
      builds += 1;
      return db.select().from(things).where(anyOf(things.id, 'ids')).orderBy(things.id).prepare('things_by_ids');
    });
    statements.length = 0;
    expect(await labels(handle.db).execute({ ids: ['b'] })).toEqual([{ id: 'b', label: 'B' }]);
    expect(await labels(handle.db).execute({ ids: ['c', 'a', 'nope'] })).toEqual([
      { id: 'a', label: 'A' },
      { id: 'c', label: 'C' },
    ]);
    expect(await labels(handle.db).execute({ ids: [] })).toEqual([]);
    expect(builds).toBe(1);
    expect(new Set(statements).size).toBe(1);

    // A transaction gets its own, which sees what the transaction wrote.
    await handle.db
      .transaction(async (tx) => {
        await tx.insert(things).values({ id: 'd', label: 'D' });
        expect(await labels(tx).execute({ ids: ['d'] })).toEqual([{ id: 'd', label: 'D' }]);
        tx.rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof TransactionRollbackError)) throw err;
      });
    expect(builds).toBe(2);
    expect(await labels(handle.db).execute({ ids: ['d'] })).toEqual([]);
  });
});
