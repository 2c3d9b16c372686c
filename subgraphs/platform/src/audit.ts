import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { and, arrayContains, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { boolean, index, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import type { Db } from './db.ts';
import { isDomainError } from './errors.ts';
import type { Logger } from './logger.ts';
import { every } from './periodic.ts';
import type { Principal, RequestContext } from './request-context.ts';

/**
 * The audit trail: one row per mutation attempt, refusals and faults included. A mutation with an
 * effect writes its row in the transaction of that effect (through the idempotency layer); every
 * other attempt (a refusal, a replay, a rolled-back transaction, a fault) gets its row afterwards,
 * outside any transaction of its own. Rows are kept for the retention (400 days by default) and
 * nothing else ever deletes them: the idempotency sweep does not touch this table.
 */
export function auditLogTable(schema: PgSchema) {
  return schema.table(
    'audit_log',
    {
      id: text('id').primaryKey(),
      at: timestamp('at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
      /** `user:<id>`, `cart:#<hash>` for an anonymous cart (its id is a credential), `anonymous`, or `system`. */
      actor: text('actor').notNull(),
      actorRoles: text('actor_roles').array().notNull(),
      action: text('action').notNull(),
      /** `Type:id`, e.g. `Order:ord_1`, `Variant:v1`; cart ids hashed as `Cart:#<hash>`. */
      targets: text('targets').array().notNull(),
      /** The result's GraphQL type (`Cart`, `ValidationError`…) or `Fault` when the mutation threw. */
      result: text('result').notNull(),
      /** The error code; null on success. */
      code: text('code'),
      /** True when the answer was a stored result given again. */
      replay: boolean('replay').notNull().default(false),
      /** Hashed for an anonymous caller, where the key alone replays a new cart and its id. */
      idempotencyKey: text('idempotency_key'),
      requestId: text('request_id').notNull(),
      traceId: text('trace_id'),
    },
    (t) => [
      index('audit_log_at_idx').on(t.at, t.id),
      index('audit_log_actor_idx').on(t.actor, t.at),
      index('audit_log_targets_idx').using('gin', t.targets),
    ],
  );
}

export type AuditTable = ReturnType<typeof auditLogTable>;
export type AuditRow = AuditTable['$inferSelect'];
type AnyDb = Db<Record<string, unknown>>;
type Tx = Parameters<Parameters<AnyDb['transaction']>[0]>[0];
type Executor = AnyDb | Tx;

export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 24 * 60 * 60 * 1000;

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** A cart id is its holder's only credential, so it is never stored as such. */
export function targetOf(type: string, id: string): string {
  return type === 'Cart' || type === 'AnonymousCart' ? `Cart:#${digest(id)}` : `${type}:${id}`;
}

/** A target as an admin types it (`Cart:cart_…`, `Order:ord_1`) in the form it is stored. */
export function normalizeTarget(target: string): string {
  const at = target.indexOf(':');
  if (at <= 0 || target.startsWith('Cart:#')) return target;
  return targetOf(target.slice(0, at), target.slice(at + 1));
}

export function actorOf(principal: Principal, input: Record<string, unknown>, internal: boolean): string {
  if (principal.userId) return `user:${principal.userId}`;
  const cartId = input.cartId;
  if (typeof cartId === 'string' && cartId) return `cart:#${digest(cartId)}`;
  return internal ? 'system' : 'anonymous';
}

const idField = /^(.+)Id$/;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The ids a mutation names (`variantId` → `Variant:…`) and the id of what it answered with. */
export function targetsOf(input: Record<string, unknown>, result?: unknown): string[] {
  const found = new Set<string>();
  const collect = (value: Record<string, unknown>) => {
    for (const [key, v] of Object.entries(value)) {
      const m = idField.exec(key);
      if (m && typeof v === 'string' && v) found.add(targetOf(capitalize(m[1]!), v));
    }
  };
  collect(input);
  if (result && typeof result === 'object' && !isDomainError(result)) {
    const r = result as Record<string, unknown>;
    if (typeof r.__typename === 'string' && typeof r.id === 'string') found.add(targetOf(r.__typename, r.id));
    collect(r);
  }
  return [...found].sort();
}

function traceId(): string | null {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : null;
}

export interface AuditOutcome {
  result: string;
  code: string | null;
}

export function outcomeOf(value: unknown): AuditOutcome {
  if (isDomainError(value)) return { result: value.__typename, code: value.code };
  const typename = (value as { __typename?: unknown } | null)?.__typename;
  return { result: typeof typename === 'string' ? typename : 'Ok', code: null };
}

export function faultOutcome(err: unknown): AuditOutcome {
  const code = err instanceof GraphQLError ? err.extensions.code : undefined;
  return { result: 'Fault', code: typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' ? code : 'INTERNAL' };
}

export type AuditEntry = Omit<AuditRow, 'id' | 'at'> & { id?: string; at?: Date };

/** Writes one row; the executor is the effect's transaction or the database itself. */
export async function writeAuditEntry(executor: Executor, table: AuditTable, entry: AuditEntry): Promise<void> {
  await executor.insert(table).values({ id: randomUUID(), ...entry });
}

/** One attempt in flight: what it is, and whether its row is written (or pending in its transaction). */
interface Attempt {
  table: AuditTable;
  base: Omit<AuditEntry, 'result' | 'code' | 'replay' | 'targets'>;
  input: Record<string, unknown>;
  /** Written inside the effect's transaction, not yet known to be committed. */
  inTransaction: boolean;
  recorded: boolean;
  replay: boolean;
}

const attempts = new AsyncLocalStorage<Attempt>();

function entryOf(attempt: Attempt, outcome: AuditOutcome, result: unknown): AuditEntry {
  return { ...attempt.base, ...outcome, replay: attempt.replay, targets: targetsOf(attempt.input, result) };
}

/**
 * Called by the idempotency layer inside the effect's transaction, just before it commits: the
 * row commits or rolls back with the effect. Outside an audited mutation it does nothing.
 */
export async function auditInTransaction(tx: Tx, result: unknown): Promise<void> {
  const attempt = attempts.getStore();
  if (!attempt || attempt.recorded) return;
  await writeAuditEntry(tx, attempt.table, entryOf(attempt, outcomeOf(result), result));
  attempt.inTransaction = true;
}

/** The effect's transaction committed: its row is in. */
export function auditCommitted(): void {
  const attempt = attempts.getStore();
  if (attempt?.inTransaction) attempt.recorded = true;
}

/** Whether this attempt's row went into a transaction (so the caller can check that it committed). */
export function auditPendingInTransaction(): boolean {
  return attempts.getStore()?.inTransaction === true;
}

/** The answer is a stored result given again: its row says so. */
export function auditReplay(): void {
  const attempt = attempts.getStore();
  if (attempt) attempt.replay = true;
}

export interface AuditedMutation {
  db: AnyDb;
  table: AuditTable;
  ctx: RequestContext;
  action: string;
  input: Record<string, unknown>;
  /** A subgraph-to-subgraph step: with no user on the request its actor is `system`. */
  internal: boolean;
}

/**
 * Runs one mutation resolver and makes sure exactly one row records it: the one its transaction
 * wrote, or else one written here from its answer (or its fault, which is then rethrown).
 */
export async function audited<T>(m: AuditedMutation, run: () => Promise<T>): Promise<T> {
  const actor = actorOf(m.ctx.principal, m.input, m.internal);
  const key = typeof m.input.idempotencyKey === 'string' ? m.input.idempotencyKey : null;
  const attempt: Attempt = {
    table: m.table,
    input: m.input,
    inTransaction: false,
    recorded: false,
    replay: false,
    base: {
      actor,
      actorRoles: m.ctx.principal.roles,
      action: m.action,
      idempotencyKey: key && !actor.startsWith('user:') ? `#${digest(key)}` : key,
      requestId: m.ctx.requestId,
      traceId: traceId(),
    },
  };
  let result: T;
  try {
    result = await attempts.run(attempt, run);
  } catch (err) {
    if (!attempt.recorded) await writeAuditEntry(m.db, m.table, entryOf(attempt, faultOutcome(err), undefined));
    throw err;
  }
  if (!attempt.recorded) await writeAuditEntry(m.db, m.table, entryOf(attempt, outcomeOf(result), result));
  return result;
}

export interface AuditFilter {
  actor?: string | null;
  target?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Position in the trail, newest first: rows strictly older than (at, id). */
export interface AuditCursor {
  at: Date;
  id: string;
}

/** Newest first, `limit` rows after the cursor, filtered by actor, target and time range. */
export async function readAuditEntries(
  db: AnyDb,
  table: AuditTable,
  filter: AuditFilter,
  limit: number,
  after?: AuditCursor | null,
): Promise<AuditRow[]> {
  const conditions: SQL[] = [];
  if (filter.actor) conditions.push(eq(table.actor, filter.actor));
  if (filter.target) conditions.push(arrayContains(table.targets, [normalizeTarget(filter.target)]));
  if (filter.from) conditions.push(gte(table.at, filter.from));
  if (filter.to) conditions.push(lte(table.at, filter.to));
  if (after) conditions.push(or(lt(table.at, after.at), and(eq(table.at, after.at), lt(table.id, after.id)))!);
  return db
    .select()
    .from(table)
    .where(and(...conditions))
    .orderBy(desc(table.at), desc(table.id))
    .limit(limit);
}

/** Rows one sweep statement deletes at most, so pruning never holds long locks. */
export const AUDIT_SWEEP_BATCH_ROWS = 1_000;

/** Deletes rows older than the retention, in bounded batches; answers how many went. */
export async function sweepAuditLog(
  db: AnyDb,
  table: AuditTable,
  retentionDays: number,
  now = new Date(),
  batchRows = AUDIT_SWEEP_BATCH_ROWS,
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  let total = 0;
  for (;;) {
    const batch = db.select({ id: table.id }).from(table).where(lt(table.at, cutoff)).limit(batchRows);
    const deleted = await db
      .delete(table)
      .where(sql`${table.id} in ${batch}`)
      .returning({ id: table.id });
    total += deleted.length;
    if (deleted.length < batchRows) return total;
  }
}

export function startAuditSweeper(
  db: AnyDb,
  table: AuditTable,
  retentionDays: number,
  logger: Logger,
  intervalMs = 60 * 60_000,
): { stop(): Promise<void> } {
  return every(intervalMs, 'audit retention sweep', logger, async () => {
    const swept = await sweepAuditLog(db, table, retentionDays);
    if (swept > 0) logger.info({ swept }, 'audit sweep deleted rows past retention');
  });
}
