import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPreparedStatements } from '../src/pglite-prepared.ts';

/** PGlite's statements prepared once: the same answers and errors as its own `query`, planned once. */
let pg: PGlite;
let prepared: PGlite;

beforeAll(async () => {
  pg = new PGlite();
  await pg.exec(`
    create table things (id text primary key, amount integer, seen_at timestamptz, tags text[]);
    insert into things values ('a', 1, '2026-01-02T03:04:05Z', '{x,y}'), ('b', null, null, '{}'), ('c', 3, '2026-02-03T04:05:06Z', null);
  `);
  prepared = withPreparedStatements(pg, 3);
});
afterAll(() => pg.close());

const namedStatements = async (text?: string) =>
  (await pg.query<{ n: number }>(`select count(*)::int as n from pg_prepared_statements${text ? ' where statement = $1' : ''}`, text ? [text] : []))
    .rows[0]!.n;

describe('withPreparedStatements', () => {
  it('answers as PGlite does, for every row mode, parameter and type', async () => {
    const text = 'select id, amount, seen_at, tags from things where id = any($1) and (amount > $2 or amount is null) order by id';
    for (const options of [undefined, { rowMode: 'array' as const }, { rowMode: 'object' as const, parsers: { 1184: (v: string) => `at ${v}` } }]) {
      const params = [['a', 'b', 'c'], 0];
      expect(await prepared.query(text, params, options)).toEqual(await pg.query(text, params, options));
    }
    const withNull = await prepared.query<{ id: string }>('select id from things where amount is not distinct from $1', [null]);
    expect(withNull.rows).toEqual([{ id: 'b' }]);
    const writes = await prepared.query('update things set amount = amount + $1 where id = $2', [1, 'c']);
    expect(writes.affectedRows).toBe(1);
  });

  it('prepares each distinct statement once, however often it runs', async () => {
    const text = 'select amount from things where id = $1';
    for (const id of ['a', 'b', 'c', 'a']) await prepared.query(text, [id]);
    expect(await namedStatements(text)).toBe(1);
  });

  it('keeps the most recently used statements prepared and closes the rest', async () => {
    for (let i = 0; i < 5; i++) await prepared.query(`select ${i} as n`);
    expect(await namedStatements()).toBe(3);
    expect(await namedStatements('select 4 as n')).toBe(1);
    expect(await namedStatements('select 0 as n')).toBe(0);
  });

  it('fails as PGlite does and carries on', async () => {
    const insert = 'insert into things (id) values ($1)';
    const error = await prepared.query(insert, ['a']).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: '23505', query: insert, params: ['a'] });
    await expect(prepared.query('select nope from things')).rejects.toMatchObject({ code: '42703' });
    expect((await prepared.query<{ id: string }>('select id from things where id = $1', ['b'])).rows).toEqual([{ id: 'b' }]);
  });

  it('prepares a statement again when a schema change alters what it returns', async () => {
    const text = 'select * from things where id = $1';
    expect(Object.keys((await prepared.query<object>(text, ['a'])).rows[0]!)).not.toContain('note');
    await pg.exec(`alter table things add column note text default 'n'`);
    expect((await prepared.query<{ note: string }>(text, ['a'])).rows[0]!.note).toBe('n');
  });

  it('never runs inside another caller’s transaction', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((resolve) => (inserted = resolve));
    const rolledBack = pg
      .transaction(async (tx) => {
        await tx.query(`insert into things (id) values ('in-tx')`);
        inserted();
        await held;
        await tx.rollback();
      })
      .catch(() => {});
    await insertedOnce;
    const counted = prepared.query<{ n: number }>(`select count(*)::int as n from things where id = 'in-tx'`);
    release();
    await rolledBack;
    expect((await counted).rows).toEqual([{ n: 0 }]);
  });
});
