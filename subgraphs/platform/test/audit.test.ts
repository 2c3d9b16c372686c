import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { pgSchema } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { GraphQLError } from 'graphql';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { audited, auditLogTable, readAuditEntries, sweepAuditLog, writeAuditEntry, type AuditedMutation, type AuditRow } from '../src/audit.ts';
import type { Db } from '../src/db.ts';
import { testEnv } from '../src/env.ts';
import { idempotencyKeysTable, runInTransaction, runWithLease } from '../src/idempotency.ts';
import { createLogger } from '../src/logger.ts';
import type { RequestContext } from '../src/request-context.ts';
import { createTestDatabase } from '../src/test-database.ts';

const keys = idempotencyKeysTable(pgSchema('aud'));
const table = auditLogTable(pgSchema('aud'));
const DDL = `
  create schema if not exists aud;
  create table if not exists aud.idempotency_keys (
    scope text not null, key text not null, fingerprint text not null, status text not null,
    claim_token text not null, lease_until timestamptz, response jsonb,
    created_at timestamptz not null default now(), expires_at timestamptz not null,
    primary key (scope, key));
  create table if not exists aud.audit_log (
    id text primary key, at timestamp(3) with time zone not null default now(), actor text not null,
    actor_roles text[] not null, action text not null, targets text[] not null, result text not null,
    code text, replay boolean not null default false, idempotency_key text, request_id text not null, trace_id text);
  create table if not exists aud.effects (id serial primary key, note text not null);`;

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  const { databaseUrl } = testEnv();
  if (databaseUrl) {
    const database = await createTestDatabase(databaseUrl);
    const client = postgres(database.url, { max: 10, onnotice: () => {} });
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
afterAll(() => close());
beforeEach(async () => {
  await db.execute(sql`truncate aud.idempotency_keys, aud.audit_log, aud.effects`);
});

const count = async (tableName: string) => {
  const rows = await db.execute<{ n: number }>(sql.raw(`select count(*)::int as n from aud.${tableName}`));
  return ((rows as { rows?: { n: number }[] }).rows ?? (rows as { n: number }[]))[0]!.n;
};
const rows = (): Promise<AuditRow[]> => db.select().from(table);

const ctx = (userId: string | null, roles: string[] = []): RequestContext => ({
  requestId: `req-${Math.random().toString(36).slice(2)}`,
  principal: { userId, roles },
  deadline: Date.now() + 10_000,
  logger: createLogger('audit-test', 'silent'),
});
const mutation = (input: Record<string, unknown>, c = ctx('u1')): AuditedMutation => ({
  db,
  table,
  ctx: c,
  action: 'addThing',
  input,
  internal: false,
});
const addThing = (key: string, note = 'x') =>
  runInTransaction(db, keys, { caller: 'user:u1', mutation: 'addThing', key, input: { note } }, async (tx) => {
    await tx.execute(sql`insert into aud.effects (note) values (${note})`);
    return { __typename: 'Thing', id: `thing-${note}` };
  });

describe('audited mutations', () => {
  it('writes one row in the effect’s transaction, with actor, targets, result, key and request id', async () => {
    const m = mutation({ variantId: 'v1', idempotencyKey: 'k1' }, ctx('u1', ['admin']));
    await audited(m, () => addThing('k1'));
    expect(await count('effects')).toBe(1);
    const [row, ...more] = await rows();
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      actor: 'user:u1',
      actorRoles: ['admin'],
      action: 'addThing',
      targets: ['Thing:thing-x', 'Variant:v1'],
      result: 'Thing',
      code: null,
      replay: false,
      idempotencyKey: 'k1',
      requestId: m.ctx.requestId,
    });
  });

  it('gives a replay a row of its own, marked as such, and a reused key its refusal row', async () => {
    await audited(mutation({ idempotencyKey: 'k2' }), () => addThing('k2'));
    await audited(mutation({ idempotencyKey: 'k2' }), () => addThing('k2'));
    await audited(mutation({ idempotencyKey: 'k2' }), () => addThing('k2', 'other'));
    expect(await count('effects')).toBe(1);
    const all = (await rows()).map((r) => [r.result, r.code, r.replay]);
    expect(all.sort()).toEqual([
      ['IdempotencyKeyReusedError', 'IDEMPOTENCY_KEY_REUSED', false],
      ['Thing', null, false],
      ['Thing', null, true],
    ]);
  });

  it('records a rolled-back transaction by its failure alone: a ValidationError, or a fault that is rethrown', async () => {
    await audited(mutation({ idempotencyKey: 'k3' }), () =>
      runInTransaction(db, keys, { caller: 'user:u1', mutation: 'addThing', key: 'k3', input: {} }, async (tx) => {
        await tx.execute(sql`insert into aud.effects (note) values ('rolled back')`);
        return { __typename: 'ValidationError', code: 'INVALID_INPUT', message: 'no', retryable: false, field: 'input.note' };
      }),
    );
    const boom = audited(mutation({ idempotencyKey: 'k4' }), () =>
      runInTransaction(db, keys, { caller: 'user:u1', mutation: 'addThing', key: 'k4', input: {} }, async (tx) => {
        await tx.execute(sql`insert into aud.effects (note) values ('rolled back')`);
        throw new GraphQLError('inventory is down', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      }),
    );
    await expect(boom).rejects.toThrow('inventory is down');
    expect(await count('effects')).toBe(0);
    expect((await rows()).map((r) => [r.result, r.code]).sort()).toEqual([
      ['Fault', 'SERVICE_UNAVAILABLE'],
      ['ValidationError', 'INVALID_INPUT'],
    ]);
  });

  it('records a refusal that never reached the idempotency layer', async () => {
    await audited(mutation({ idempotencyKey: 'k5' }, ctx(null)), async () => ({
      __typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
      message: 'sign in',
      retryable: false,
    }));
    expect(await rows()).toMatchObject([{ actor: 'anonymous', result: 'UnauthenticatedError', code: 'UNAUTHENTICATED' }]);
  });

  it('writes a saga’s row with its stored result, once, and marks a later replay', async () => {
    const saga = (key: string) =>
      audited(mutation({ orderId: 'o1', idempotencyKey: key }), () =>
        runWithLease(db, keys, { caller: 'user:u1', mutation: 'payThing', key, input: {} }, async (lease) => {
          const result = { __typename: 'Order', id: 'o1' };
          await db.transaction(async (tx) => {
            await tx.execute(sql`insert into aud.effects (note) values ('paid')`);
            await lease.complete(tx, result);
          });
          return result;
        }),
      );
    await saga('L1');
    await saga('L1');
    expect(await count('effects')).toBe(1);
    expect((await rows()).map((r) => [r.result, r.replay, r.targets.join()]).sort()).toEqual([
      ['Order', false, 'Order:o1'],
      ['Order', true, 'Order:o1'],
    ]);
  });

  it('never stores an anonymous cart id or the key that would replay it', async () => {
    await audited(mutation({ cartId: 'cart_secret', idempotencyKey: 'secret-key' }, ctx(null)), async () => ({
      __typename: 'Cart',
      id: 'cart_secret',
    }));
    const [row] = await rows();
    expect(JSON.stringify(row)).not.toContain('cart_secret');
    expect(JSON.stringify(row)).not.toContain('secret-key');
    expect(row!.actor).toMatch(/^cart:#[0-9a-f]{32}$/);
    expect(row!.targets).toEqual([`Cart:#${row!.actor.slice('cart:#'.length)}`]);
    // An admin looks a cart up by its id; the filter hashes it the same way.
    expect(await readAuditEntries(db, table, { target: 'Cart:cart_secret' }, 10)).toHaveLength(1);
  });
});

describe('reading and pruning the trail', () => {
  const entry = (actor: string, at: Date, targets: string[]) => ({
    actor,
    actorRoles: [],
    action: 'addThing',
    targets,
    result: 'Thing',
    code: null,
    replay: false,
    idempotencyKey: null,
    requestId: 'r',
    traceId: null,
    at,
  });

  it('filters by actor, target and time range, newest first, page by page', async () => {
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 7; i++)
      await writeAuditEntry(db, table, entry(i % 2 ? 'user:a' : 'user:b', new Date(base + (i % 4) * 60_000), [`Order:o${i}`]));
    const a = await readAuditEntries(db, table, { actor: 'user:a' }, 10);
    // o1 and o5 share a time: their order is the id's, but both come after the newer o3.
    expect(a.map((r) => r.targets[0])).toEqual(['Order:o3', expect.stringMatching(/^Order:o[15]$/), expect.stringMatching(/^Order:o[15]$/)]);
    expect(new Set(a.map((r) => r.targets[0]))).toEqual(new Set(['Order:o1', 'Order:o3', 'Order:o5']));
    expect(await readAuditEntries(db, table, { target: 'Order:o4' }, 10)).toHaveLength(1);
    const window = await readAuditEntries(db, table, { from: new Date(base + 60_000), to: new Date(base + 2 * 60_000) }, 10);
    expect(window.map((r) => r.targets[0]).sort()).toEqual(['Order:o1', 'Order:o2', 'Order:o5', 'Order:o6']);

    const paged: string[] = [];
    let after: AuditRow | undefined;
    for (;;) {
      const page = await readAuditEntries(db, table, {}, 2, after && { at: after.at, id: after.id });
      paged.push(...page.map((r) => r.targets[0]!));
      if (page.length < 2) break;
      after = page.at(-1);
    }
    expect(paged).toEqual((await readAuditEntries(db, table, {}, 10)).map((r) => r.targets[0]));
    expect(new Set(paged).size).toBe(7);
  });

  it('deletes rows past the retention in bounded batches and keeps the rest', async () => {
    const now = new Date('2027-06-01T00:00:00Z');
    const day = 24 * 60 * 60 * 1000;
    for (let i = 0; i < 5; i++) await writeAuditEntry(db, table, entry('user:old', new Date(now.getTime() - (401 + i) * day), []));
    await writeAuditEntry(db, table, entry('user:kept', new Date(now.getTime() - 399 * day), []));
    expect(await sweepAuditLog(db, table, 400, now, 2)).toBe(5);
    expect((await rows()).map((r) => r.actor)).toEqual(['user:kept']);
  });
});
