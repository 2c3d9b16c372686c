import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * A statement built once per executor (the db handle, or a transaction) and then run as drizzle's
 * prepared query with new placeholder values. A loader's batch statement is the same every time
 * but for its keys; building it anew with drizzle's query builder cost more CPU than Postgres
 * spent answering it. Keyed by the executor, so a statement built on the pool never runs inside a
 * transaction, nor one built on a transaction outside it.
 */
export function preparedPer<TExecutor extends object, TQuery>(build: (executor: TExecutor) => TQuery): (executor: TExecutor) => TQuery {
  const built = new WeakMap<TExecutor, TQuery>();
  return (executor) => {
    let query = built.get(executor);
    if (query === undefined) {
      query = build(executor);
      built.set(executor, query);
    }
    return query;
  };
}

/**
 * `column = any($n)` with the values as one array parameter named `placeholder`: the statement's
 * text is the same for any number of keys (drizzle's inArray writes one parameter per value), so it
 * is built, and prepared by the driver, once.
 */
export const anyOf = (column: SQLWrapper, placeholder: string): SQL => sql`${column} = any(${sql.placeholder(placeholder)})`;
