import { parse, protocol, types, type messages, type PGlite, type QueryOptions, type Results } from '@electric-sql/pglite';

/** Distinct statements kept prepared at most; past this the least recently used is closed. */
export const MAX_PREPARED_STATEMENTS = 200;

/** Postgres refuses a prepared statement whose result shape a schema change altered (feature_not_supported). */
const STALE_PLAN = '0A000';

const { serialize } = protocol;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * PGlite's parseResults for one statement, reading a query's own parsers before the defaults instead
 * of merging the two: drizzle passes its own for a few types with every query, and PGlite's merge
 * copies all of its ~300 parsers each time, a sixth of a listing statement's cost.
 */
function resultsOf(backend: messages.BackendMessage[], fields: Field[], defaults: PGlite['parsers'], options: QueryOptions | undefined): Results {
  const own = options?.parsers;
  const arrays = options?.rowMode === 'array';
  const rows: unknown[] = [];
  const parseField = (value: string | null, type: number): unknown => {
    if (value === null) return null;
    const parser = own?.[type] ?? defaults[type] ?? types.parsers[type];
    return parser ? parser(value, type) : value;
  };
  for (const message of backend) {
    if (message.name === 'dataRow') {
      const values = (message as messages.DataRowMessage).fields.map((value, i) => parseField(value, fields[i]!.dataTypeID));
      rows.push(arrays ? values : Object.fromEntries(values.map((value, i) => [fields[i]!.name, value])));
    } else if (message.name === 'commandComplete') {
      const words = (message as messages.CommandCompleteMessage).text.split(' ');
      const command = words[0]!;
      const count = parseInt(words.at(-1)!, 10);
      const affectedRows = ['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE'].includes(command) ? count : 0;
      return { rows, fields, command, affectedRows, ...(Number.isNaN(count) ? {} : { rowCount: count }) } as Results;
    }
  }
  return { affectedRows: 0, rows: [], fields: [] };
}

interface Field {
  name: string;
  dataTypeID: number;
}

interface Prepared {
  name: string;
  paramTypes: number[];
  /** The columns it returns, from describing it once: a run does not ask for them again. */
  fields: Field[];
}

/** The row description of a described statement; none (NoData) for one that returns no rows. */
function fieldsOf(described: messages.BackendMessage[]): Field[] {
  const row = described.find((m): m is messages.RowDescriptionMessage => m.name === 'rowDescription');
  return row ? row.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) : [];
}

/**
 * PGlite with its statements prepared once, as postgres.js prepares them on a server. PGlite's own
 * `query` sends every statement unnamed, so the backend parses and plans it every time, in six calls
 * into WebAssembly; the statements a subgraph sends are few and sent again and again (the listing's
 * batches), and planning was half of their cost. Here each distinct SQL text becomes a named statement,
 * parsed and described once; each run is one bind, execute and sync, and Postgres reuses its
 * plan (a generic one, once that is no worse than planning for the values). Same exclusivity as
 * `query` (never inside another caller's transaction), same parameter serialisers and result parsers,
 * same errors. Transactions keep PGlite's own path; so do queries with a blob or explicit parameter types.
 */
export function withPreparedStatements(pg: PGlite, maxPrepared = MAX_PREPARED_STATEMENTS): PGlite {
  // Insertion order is recency: a hit moves the statement to the back, the front is closed first.
  const prepared = new Map<string, Prepared>();
  let named = 0;

  async function prepare(text: string): Promise<Prepared> {
    if (prepared.size >= maxPrepared) {
      const [oldestText, oldest] = prepared.entries().next().value!;
      prepared.delete(oldestText);
      await pg.execProtocolStream(concat([serialize.close({ type: 'S', name: oldest.name }), serialize.sync()]), { syncToFs: false });
    }
    named += 1;
    const name = `ecom_prepared_${named}`;
    const described = await pg.execProtocolStream(
      concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      {
        syncToFs: false,
      },
    );
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(described), fields: fieldsOf(described) };
    prepared.set(text, statement);
    return statement;
  }

  async function run(text: string, params: unknown[], options: QueryOptions | undefined): Promise<Results> {
    let statement = prepared.get(text);
    if (statement) {
      prepared.delete(text);
      prepared.set(text, statement);
    } else {
      statement = await prepare(text);
    }
    const { paramTypes } = statement;
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const type = paramTypes[i]!;
      const serializer = options?.serializers?.[type] ?? pg.serializers[type];
      // As PGlite's own query: a type without a serialiser takes the value's own text.
      return serializer ? serializer(value) : (value as { toString(): string }).toString();
    });
    const backend = await pg.execProtocolStream(
      concat([serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()]),
      { syncToFs: false, onNotice: options?.onNotice },
    );
    await pg.syncToFs();
    return resultsOf(backend, statement.fields, pg.parsers, options);
  }

  async function query(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results> {
    if (options?.blob || options?.paramTypes) return pg.query(text, params, options);
    await pg._checkReady();
    return pg._runExclusiveTransaction(() =>
      pg._runExclusiveQuery(async () => {
        try {
          return await run(text, params, options);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code !== STALE_PLAN || !prepared.has(text)) throw Object.assign(err as Error, { query: text, params, queryOptions: options });
          // A migration changed what the statement returns: prepared again, it is planned for the new shape.
          const stale = prepared.get(text)!;
          prepared.delete(text);
          await pg.execProtocolStream(concat([serialize.close({ type: 'S', name: stale.name }), serialize.sync()]), { syncToFs: false });
          return run(text, params, options);
        }
      }),
    );
  }

  return new Proxy(pg, {
    get(target, prop) {
      if (prop === 'query') return query;
      const value: unknown = Reflect.get(target, prop, target);
      // PGlite keeps its state in private fields: its methods must run on the instance itself.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
