import { PGlite } from '@electric-sql/pglite';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { sql } from 'drizzle-orm';
import { integer, pgSchema, text } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import { traceSqlStatements } from '../src/sql-spans.ts';
import { createTestDatabase } from '../src/test-database.ts';
import { traced } from '../src/tracing.ts';

/**
 * The SQL span hook on the driver this run uses (PGlite, or postgres.js when DATABASE_URL is set).
 * Spans are collected in memory here: the export path is proven end to end by the gateway's
 * telemetry tests over real OTLP/HTTP.
 */
const schema = pgSchema('spans');
const things = schema.table('things', { id: integer('id').primaryKey(), secret: text('secret').notNull() });
const DDL = 'create schema if not exists spans; create table if not exists spans.things (id int primary key, secret text not null);';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  provider.register();
  traceSqlStatements();
  const { databaseUrl } = testEnv();
  if (databaseUrl) {
    const database = await createTestDatabase(databaseUrl);
    const client = postgres(database.url, { max: 4, onnotice: () => {} });
    await client.unsafe(DDL);
    db = drizzlePostgres(client);
    close = async () => {
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
afterAll(async () => {
  await close();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

describe('SQL spans', () => {
  it('one CLIENT span per statement under the request, parameterised, inside transactions too', async () => {
    // traced() records only under a recording parent, as a server span is in a subgraph.
    const root = trace.getTracer('test').startSpan('root');
    await context.with(trace.setSpan(context.active(), root), () =>
      traced('request', async () => {
        await db.insert(things).values({ id: 2, secret: 'hunter2' }).onConflictDoNothing();
        await db.transaction(async (tx) => {
          await tx
            .update(things)
            .set({ secret: 'swordfish' })
            .where(sql`${things.id} = ${2}`);
          await tx.select().from(things);
        });
      }),
    );
    root.end();
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request')!;
    const statements = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    expect(statements.map((s) => s.attributes['db.operation'])).toEqual(['INSERT', 'UPDATE', 'SELECT']);
    expect(statements.map((s) => s.name)).toEqual(['INSERT spans.things', 'UPDATE spans.things', 'SELECT spans.things']);
    for (const s of statements) {
      expect(s.kind).toBe(SpanKind.CLIENT);
      expect(s.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(String(s.attributes['db.statement'])).not.toMatch(/hunter2|swordfish/);
      expect(s.endTime[0] * 1e9 + s.endTime[1]).toBeGreaterThanOrEqual(s.startTime[0] * 1e9 + s.startTime[1]);
    }
    expect(String(statements[0]!.attributes['db.statement'])).toMatch(/values \(\$1, \$2\)/);
  });

  it('makes no span outside a recorded request (seeding, sweepers, telemetry off)', async () => {
    await db.select().from(things);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('a failed statement marks its span as an error', async () => {
    const root = trace.getTracer('test').startSpan('root');
    await context
      // drizzle's queries are lazy: awaited inside the context, or they run outside it.
      .with(trace.setSpan(context.active(), root), async () => {
        await db.execute(sql`select * from spans.no_such_table`);
      })
      .catch(() => {});
    root.end();
    const [failed] = exporter.getFinishedSpans().filter((s) => s.attributes['db.system'] === 'postgresql');
    expect(failed!.status.code).toBe(2);
  });
});
