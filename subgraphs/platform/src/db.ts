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
import { traceSqlStatements } from './sql-spans.ts';

export type Db<TSchema extends Record<string, unknown> = Record<string, unknown>> = PgDatabase<PgQueryResultHKT, TSchema>;

export interface DbHandle<TSchema extends Record<string, unknown>> {
  db: Db<TSchema>;
  kind: 'postgres' | 'pglite';
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
  onStatement?: (statement: string) => void;
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
  // The journal lives outside the subgraph's schema, because the first migration creates that schema.
  const migrationConfig = {
    migrationsFolder: options.migrationsFolder,
    migrationsSchema: 'drizzle',
    migrationsTable: `${options.schemaName}_migrations`,
  };

  if (options.databaseUrl) {
    // Two replicas starting together must not both run a migration: serialise on an advisory lock
    // held by a single-connection client of its own.
    const migrator = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await migrator`select pg_advisory_lock(hashtext(${`migrate:${options.schemaName}`}))`;
      await migratePostgres(drizzlePostgres(migrator), migrationConfig);
    } finally {
      await migrator.end({ timeout: 5 });
    }
    const client = postgres(options.databaseUrl, { max: options.poolSize ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema: options.schema, logger });
    return {
      db: db as unknown as Db<TSchema>,
      kind: 'postgres',
      statementCount: () => statements,
      close: () => client.end({ timeout: 5 }),
    };
  }

  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  const client = new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema: options.schema, logger });
  await migratePglite(drizzlePglite(client), migrationConfig);
  return {
    db: db as unknown as Db<TSchema>,
    kind: 'pglite',
    statementCount: () => statements,
    close: () => client.close(),
  };
}

/** A cheap round trip, for readiness. */
export async function pingDb(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
