import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import { createTestDatabase } from '../src/test-database.ts';

const { databaseUrl } = testEnv();
let handle: DbHandle<Record<string, unknown>>;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  drop = database && (() => database.drop());
  handle = await openDb({
    schemaName: 'sessions_test',
    schema: {},
    migrationsFolder: fileURLToPath(new URL('./fixtures/no-migrations', import.meta.url)),
    databaseUrl: database?.url,
    poolSize: 1,
    idleInTransactionTimeoutMs: 300,
  });
});
afterAll(async () => {
  await handle?.close();
  await drop?.();
});

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

it('ends a session left idle inside a transaction, so its locks and its pool connection come back', async () => {
  const idleThenWrite = handle.db.transaction(async (tx) => {
    await tx.execute(sql`select 1`);
    // Waiting on something else (a sibling, a slow client) with the transaction open.
    await new Promise((r) => setTimeout(r, 1_500));
    await tx.execute(sql`select 1`);
  });
  if (handle.kind === 'postgres') {
    await expect(idleThenWrite).rejects.toThrow();
    const [setting] = rowsOf<{ idle_in_transaction_session_timeout: string }>(await handle.db.execute(sql`show idle_in_transaction_session_timeout`));
    expect(setting!.idle_in_transaction_session_timeout).toBe('300ms');
  } else {
    // PGlite is one in-process session with no pool and no other client to block: nothing to end.
    await expect(idleThenWrite).resolves.toBeUndefined();
  }
  // Either way the handle answers afterwards (postgres.js opens a fresh connection in the pool of one).
  expect(rowsOf<{ one: number }>(await handle.db.execute(sql`select 1 as one`))[0]!.one).toBe(1);
});
