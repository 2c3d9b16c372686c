import { SpanKind } from '@opentelemetry/api';
import { PgPreparedQuery } from 'drizzle-orm/pg-core';
import { traced } from './tracing.ts';

const PATCHED = Symbol.for('ecom.sql-spans');
const MAX_STATEMENT_CHARS = 4_000;

type QueryWithCache = (queryString: string, params: unknown[], query: () => Promise<unknown>) => Promise<unknown>;

/** `SELECT`, `INSERT`, … : the statement's first keyword. */
export function operationOf(statement: string): string {
  return /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';
}

/** The first `"schema"."table"` drizzle names, for the span name (`SELECT product.products`). */
function targetOf(statement: string): string | undefined {
  const match = /"(\w+)"\."(\w+)"/.exec(statement);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/**
 * A CLIENT span per SQL statement, from just before the driver is called to its answer, on both
 * drivers (postgres.js and PGlite), inside transactions and savepoints too. Every drizzle statement
 * reaches the driver through `PgPreparedQuery.queryWithCache(sql, params, run)`, which both drivers'
 * prepared queries inherit; wrapping it once covers them all. The statement is drizzle's
 * parameterised text (`$1`, `$2`…): parameter values are never put in a span.
 *
 * drizzle-orm has no tracing hook of its own that works (its built-in spans are compiled out), and
 * the OpenTelemetry instrumentation for Postgres covers `pg`, neither postgres.js nor PGlite.
 * sql-spans.test.ts fails if a drizzle upgrade moves this method.
 */
export function traceSqlStatements(): void {
  const proto = PgPreparedQuery.prototype as unknown as { queryWithCache?: QueryWithCache; [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const original = proto.queryWithCache;
  if (typeof original !== 'function') throw new Error('drizzle-orm no longer has PgPreparedQuery.queryWithCache: SQL spans need a new hook');
  proto.queryWithCache = function (this: unknown, queryString, params, query) {
    const operation = operationOf(queryString);
    const target = targetOf(queryString);
    return traced(
      target ? `${operation} ${target}` : operation,
      () => original.call(this, queryString, params, query),
      {
        'db.system': 'postgresql',
        'db.operation': operation,
        'db.statement': queryString.length > MAX_STATEMENT_CHARS ? `${queryString.slice(0, MAX_STATEMENT_CHARS)}…` : queryString,
        ...(target ? { 'db.sql.table': target } : {}),
      },
      SpanKind.CLIENT,
    );
  };
  proto[PATCHED] = true;
}
