import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { countPgliteConnection, countPostgresPool, type PoolWatch } from './db-pool-usage.ts';
import { withPreparedStatements } from './pglite-prepared.ts';
import { traceSqlStatements } from './sql-spans.ts';

export type Db<TSchema extends Record<string, unknown> = Record<string, unknown>> = PgDatabase<PgQueryResultHKT, TSchema>;

export interface DbHandle<TSchema extends Record<string, unknown>> {
  db: Db<TSchema>;
  kind: 'postgres' | 'pglite';
  /** Connections in use and work waiting for one (load shedding reads it). */
  pool: PoolWatch;
  /** Statements sent since creation; tests read it to prove batching. */
  statementCount(): number;
  close(): Promise<void>;
}

export interface DbOptions<TSchema extends Record<string, unknown>> {
  /** The subgraph's own Postgres schema. */
  schemaName: string;
  schema: TSchema;
  migrationsFolder: string;
  /** A server: postgres://… ; otherwise PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; omitted means in memory (tests). */
  dataDir?: string;
  poolSize?: number;
  /**
   * A server ends a session left idle inside a transaction this long (its locks and pool slot with
   * it); 0: never. Default 15 s, longer than any mutation's deadline.
   */
  idleInTransactionTimeoutMs?: number;
  onStatement?: (statement: string) => void;
}

export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 15_000;

// The journal lives outside the subgraph's schema, because the first migration creates that schema.
const JOURNAL_SCHEMA = 'drizzle';
const migrationConfigOf = (schemaName: string, migrationsFolder: string) => ({
  migrationsFolder,
  migrationsSchema: JOURNAL_SCHEMA,
  migrationsTable: `${schemaName}_migrations`,
});

/**
 * Brings one subgraph's schema on a Postgres server to its latest migration. Replicas starting
 * together (and a release's migrate step) must not both run a migration: they serialise on an
 * advisory lock held by a single-connection client of its own; whoever comes second finds the
 * journal up to date and applies nothing.
 */
export async function migrateServer(databaseUrl: string, schemaName: string, migrationsFolder: string): Promise<void> {
  const migrator = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(hashtext(${`migrate:${schemaName}`}))`;
    // Every subgraph's journal shares this schema, and CREATE SCHEMA IF NOT EXISTS is not safe
    // against a concurrent one (a unique violation on pg_namespace): six subgraphs migrating at
    // once, as a release's first pods do, made one fail. Created first under a lock of its own.
    await migrator`select pg_advisory_lock(hashtext('migrate:journal-schema'))`;
    try {
      await migrator`create schema if not exists ${migrator(JOURNAL_SCHEMA)}`;
    } finally {
      await migrator`select pg_advisory_unlock(hashtext('migrate:journal-schema'))`;
    }
    await migratePostgres(drizzlePostgres(migrator), migrationConfigOf(schemaName, migrationsFolder));
  } finally {
    await migrator.end({ timeout: 5 });
  }
}

/**
 * One db client factory for every subgraph: postgres.js against a server, PGlite embedded.
 * Migrations are applied before the handle is returned, so a handle is always at the latest schema.
 */
export async function openDb<TSchema extends Record<string, unknown>>(options: DbOptions<TSchema>): Promise<DbHandle<TSchema>> {
  traceSqlStatements();
  let statements = 0;
  const logger = {
    logQuery(query: string) {
      statements += 1;
      options.onStatement?.(query);
    },
  };
  const migrationConfig = migrationConfigOf(options.schemaName, options.migrationsFolder);

  if (options.databaseUrl) {
    await migrateServer(options.databaseUrl, options.schemaName, options.migrationsFolder);
    const size = options.poolSize ?? 10;
    const client = postgres(options.databaseUrl, {
      max: size,
      onnotice: () => {},
      connection: { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS },
    });
    const pool = countPostgresPool(client, size);
    const db = drizzlePostgres(pool.client, { schema: options.schema, logger });
    return {
      db: db as unknown as Db<TSchema>,
      kind: 'postgres',
      pool: pool.pool,
      statementCount: () => statements,
      close: async () => {
        pool.release();
        await client.end({ timeout: 5 });
      },
    };
  }

  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  const client = new PGlite(dataDir);
  await client.waitReady;
  await migratePglite(drizzlePglite(client), migrationConfig);
  const connection = countPgliteConnection(withPreparedStatements(client));
  const db = drizzlePglite(connection.client, { schema: options.schema, logger });
  return {
    db: db as unknown as Db<TSchema>,
    kind: 'pglite',
    pool: connection.pool,
    statementCount: () => statements,
    close: async () => {
      connection.release();
      await client.close();
    },
  };
}

/** A cheap round trip, for readiness. */
export async function pingDb(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
