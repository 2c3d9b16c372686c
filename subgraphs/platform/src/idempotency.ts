import { createHash, randomUUID } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { jsonb, primaryKey, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';
import { auditCommitted, auditInTransaction, auditPendingInTransaction, auditReplay } from './audit.ts';
import type { Db } from './db.ts';
import { domainError, type DomainErrorResult } from './errors.ts';
import type { Logger } from './logger.ts';
import { idempotencyOutcomes } from './metrics.ts';
import { every } from './periodic.ts';
import { spanEvent } from './tracing.ts';

/**
 * Every mutation runs through here. A key is scoped to (caller, mutation); its row is the record of
 * the first execution: the input's fingerprint and the stored result, kept at least 24 hours.
 * Postgres is the only source of truth: no Redis is involved in deciding whether something ran.
 */
export function idempotencyKeysTable(schema: PgSchema) {
  return schema.table(
    'idempotency_keys',
    {
      scope: text('scope').notNull(),
      key: text('key').notNull(),
      fingerprint: text('fingerprint').notNull(),
      /** in_progress while a saga runs under a lease; done once the result is stored. */
      status: text('status', { enum: ['in_progress', 'done'] }).notNull(),
      /** Fencing token of the execution that holds the lease. */
      claimToken: text('claim_token').notNull(),
      leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
      response: jsonb('response'),
      createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
      expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    },
    (t) => [primaryKey({ columns: [t.scope, t.key] })],
  );
}

export type IdempotencyTable = ReturnType<typeof idempotencyKeysTable>;
type AnyDb = Db<Record<string, unknown>>;
type Tx = Parameters<Parameters<AnyDb['transaction']>[0]>[0];

export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long a duplicate waits for the first execution before it is told to retry. */
export const IN_PROGRESS_WAIT_MS = 2_000;
const LEASE_MS = 30_000;

export interface IdempotentRequest {
  /** The user (`user:<sub>`), or the anonymous cart (`cart:<id>`), or `anonymous`. */
  caller: string;
  mutation: string;
  key: string;
  /** The mutation's input; the key itself is left out of the fingerprint. */
  input: Record<string, unknown>;
}

type Stored = Record<string, unknown> & { __typename: string };

/** What the idempotency layer answers by itself: a malformed key, a reused key, a duplicate still running. */
export type IdempotencyOutcome =
  | DomainErrorResult<'ValidationError', { field: string }>
  | DomainErrorResult<'IdempotencyKeyReusedError'>
  | DomainErrorResult<'IdempotencyInProgressError'>;

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,255}$/;

export function validateKey(key: string): DomainErrorResult<'ValidationError', { field: string }> | null {
  return PRINTABLE_ASCII.test(key)
    ? null
    : domainError('ValidationError', 'idempotencyKey must be 1 to 255 printable ASCII characters; a UUID is recommended.', {
        field: 'input.idempotencyKey',
      });
}

/** Sorted keys, no null/undefined members: the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function fingerprintOf(input: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...rest } = input;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

const scopeOf = (r: IdempotentRequest) => `${r.caller}|${r.mutation}`;

/** A stored answer given again (counted: `graph_idempotency_outcomes_total{outcome="replay"}`). */
const replayed = <T>(response: T): T => {
  idempotencyOutcomes.inc({ outcome: 'replay' });
  auditReplay();
  spanEvent('idempotency.replay');
  return response;
};

const reused = () => {
  idempotencyOutcomes.inc({ outcome: 'conflict' });
  spanEvent('idempotency.conflict');
  return domainError('IdempotencyKeyReusedError', 'This idempotency key was already used for a different request. Use a new key for a new request.');
};
const inProgress = () => {
  spanEvent('idempotency.in_progress');
  return domainError('IdempotencyInProgressError', 'The first request with this idempotency key is still running. Retry shortly with the same key.');
};

/** Thrown inside a transaction to roll it back while still answering with a value. */
class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback');
  }
}

function isLockTimeout(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    if ((e as { code?: string }).code === '55P03') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function replay<T>(row: { fingerprint: string; response: unknown }, fingerprint: string): T | IdempotencyOutcome {
  return row.fingerprint === fingerprint ? replayed(row.response as T) : reused();
}

/**
 * For mutations whose writes all happen in this subgraph's database: the key is claimed in the same
 * transaction as the business writes. A concurrent duplicate blocks on the key's row until the first
 * commits (then gets its stored result) or until the wait runs out (IdempotencyInProgressError).
 * A ValidationError rolls everything back and is not stored.
 */
export async function runInTransaction<T extends Stored>(
  db: AnyDb,
  table: IdempotencyTable,
  request: IdempotentRequest,
  execute: (tx: Tx) => Promise<T>,
): Promise<T | IdempotencyOutcome> {
  const invalid = validateKey(request.key);
  if (invalid) return invalid;
  const scope = scopeOf(request);
  const fingerprint = fingerprintOf(request.input);

  const [existing] = await db
    .select()
    .from(table)
    .where(and(eq(table.scope, scope), eq(table.key, request.key)));
  if (existing?.status === 'done') return replay<T>(existing, fingerprint);

  try {
    const committed = await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local lock_timeout = '${IN_PROGRESS_WAIT_MS}ms'`));
      const claimed = await tx
        .insert(table)
        .values({
          scope,
          key: request.key,
          fingerprint,
          status: 'in_progress',
          claimToken: randomUUID(),
          expiresAt: new Date(Date.now() + RETENTION_MS),
        })
        .onConflictDoNothing()
        .returning({ key: table.key });
      if (claimed.length === 0) {
        // The first execution committed while we waited on its row.
        const [row] = await tx
          .select()
          .from(table)
          .where(and(eq(table.scope, scope), eq(table.key, request.key)));
        if (!row || row.status !== 'done') throw new Rollback(inProgress());
        throw new Rollback(replay<T>(row, fingerprint));
      }
      const result = await execute(tx);
      if (result.__typename === 'ValidationError') throw new Rollback(result);
      await auditInTransaction(tx, result);
      await tx
        .update(table)
        .set({ status: 'done', response: result, leaseUntil: null })
        .where(and(eq(table.scope, scope), eq(table.key, request.key)));
      return result;
    });
    auditCommitted();
    return committed;
  } catch (err) {
    if (err instanceof Rollback) return err.value as T | IdempotencyOutcome;
    if (isLockTimeout(err)) return inProgress();
    throw err;
  }
}

/**
 * The stored answer of a finished request under this key (or the refusal of a reused key), without
 * claiming anything; null when there is none yet. Lets a mutation skip work it would do before
 * runInTransaction (calls to other subgraphs) when the answer is already known.
 */
export async function storedOutcome<T extends Stored>(
  db: AnyDb,
  table: IdempotencyTable,
  request: IdempotentRequest,
): Promise<T | IdempotencyOutcome | null> {
  const [row] = await db
    .select()
    .from(table)
    .where(and(eq(table.scope, scopeOf(request)), eq(table.key, request.key)));
  return row?.status === 'done' ? replay<T>(row, fingerprintOf(request.input)) : null;
}

export interface Lease {
  /** Stable for every retry of this key: derive saga ids and sibling idempotency keys from it. */
  readonly seed: string;
  /** Stores the result in the caller's final transaction; false when the lease was lost. */
  complete(tx: Tx, result: Stored): Promise<boolean>;
}

/**
 * For sagas that call other subgraphs between transactions (placeOrder, payOrder, cancelOrder).
 * The claim commits first with a lease; the saga's last local transaction stores the result under
 * a fencing check. A crashed execution leaves an expired lease that a retry with the same key takes
 * over; every step is idempotent per `seed`, so the retry converges instead of repeating.
 */
export async function runWithLease<T extends Stored>(
  db: AnyDb,
  table: IdempotencyTable,
  request: IdempotentRequest,
  execute: (lease: Lease) => Promise<T>,
  options: { leaseMs?: number; waitMs?: number } = {},
): Promise<T | IdempotencyOutcome> {
  const invalid = validateKey(request.key);
  if (invalid) return invalid;
  const scope = scopeOf(request);
  const fingerprint = fingerprintOf(request.input);
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const token = randomUUID();
  const where = and(eq(table.scope, scope), eq(table.key, request.key));
  const waitUntil = Date.now() + (options.waitMs ?? IN_PROGRESS_WAIT_MS);

  for (;;) {
    const inserted = await db
      .insert(table)
      .values({
        scope,
        key: request.key,
        fingerprint,
        status: 'in_progress',
        claimToken: token,
        leaseUntil: new Date(Date.now() + leaseMs),
        expiresAt: new Date(Date.now() + RETENTION_MS),
      })
      .onConflictDoNothing()
      .returning({ key: table.key });
    if (inserted.length > 0) break;

    const [row] = await db.select().from(table).where(where);
    if (!row) continue; // released between our insert and select: claim again
    if (row.fingerprint !== fingerprint) return reused();
    if (row.status === 'done') return replay<T>(row, fingerprint);
    // A lease that ran out belongs to an execution that died: take it over, atomically.
    const taken = await db
      .update(table)
      .set({ claimToken: token, leaseUntil: new Date(Date.now() + leaseMs) })
      .where(and(where, eq(table.status, 'in_progress'), lt(table.leaseUntil, new Date())))
      .returning({ key: table.key });
    if (taken.length > 0) break;
    if (Date.now() >= waitUntil) return inProgress();
    await new Promise((r) => setTimeout(r, 50));
  }

  const lease: Lease = {
    // A structured value: joined with a separator, a caller or key containing it could collide with another's.
    seed: createHash('sha256')
      .update(JSON.stringify([request.caller, request.mutation, request.key]))
      .digest('hex')
      .slice(0, 24),
    async complete(tx, result) {
      const done = await tx
        .update(table)
        .set({ status: 'done', response: result, leaseUntil: null })
        .where(and(where, eq(table.claimToken, token), eq(table.status, 'in_progress')))
        .returning({ key: table.key });
      if (done.length === 0) return false;
      await auditInTransaction(tx, result);
      return true;
    },
  };

  let result: T;
  try {
    result = await execute(lease);
  } catch (err) {
    // A fault after the result was stored (its audit row with it) is still that one attempt.
    if (auditPendingInTransaction()) {
      const [row] = await db
        .select()
        .from(table)
        .where(and(where, eq(table.claimToken, token), eq(table.status, 'done')));
      if (row) auditCommitted();
    }
    // A fault: free the key at once so the client's retry runs instead of waiting out the lease.
    await db
      .update(table)
      .set({ leaseUntil: new Date(0) })
      .where(and(where, eq(table.claimToken, token), eq(table.status, 'in_progress')));
    throw err;
  }
  if (result.__typename === 'ValidationError') {
    // Not stored: the client may correct the input and reuse the key.
    await db.delete(table).where(and(where, eq(table.claimToken, token), eq(table.status, 'in_progress')));
    return result;
  }
  const [row] = await db.select().from(table).where(where);
  if (row?.status === 'done') {
    // Stored by our own final transaction (which wrote the audit row), or by an execution that took the lease over.
    if (auditPendingInTransaction() && row.claimToken === token) auditCommitted();
    else auditReplay();
    return row.response as T;
  }
  // A business error the saga returned before any write of its own: store it like a success.
  const stored = await db.transaction((tx) => lease.complete(tx, result));
  if (stored) {
    auditCommitted();
    return result;
  }
  const [after] = await db.select().from(table).where(where);
  if (after?.status !== 'done') return inProgress();
  auditReplay();
  return after.response as T;
}

/** Rows one sweep statement deletes at most, so a backlog never becomes one long lock-holding statement. */
export const SWEEP_BATCH_ROWS = 1_000;

/** Deletes records past retention, `batchRows` per statement, until none is left; answers how many went. */
export async function sweepIdempotencyKeys(db: AnyDb, table: IdempotencyTable, now = new Date(), batchRows = SWEEP_BATCH_ROWS): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = db.select({ scope: table.scope, key: table.key }).from(table).where(lt(table.expiresAt, now)).limit(batchRows);
    const deleted = await db
      .delete(table)
      .where(sql`(${table.scope}, ${table.key}) in ${batch}`)
      .returning({ key: table.key });
    total += deleted.length;
    if (deleted.length < batchRows) return total;
  }
}

/** The sweep on the platform's periodic runner: one run at a time, failures logged, stop() waits for a run. */
export function startIdempotencySweeper(db: AnyDb, table: IdempotencyTable, logger: Logger, intervalMs = 10 * 60_000): { stop(): Promise<void> } {
  return every(intervalMs, 'idempotency sweep', logger, async () => {
    const swept = await sweepIdempotencyKeys(db, table);
    if (swept > 0) logger.info({ swept }, 'idempotency sweep deleted expired keys');
  });
}
