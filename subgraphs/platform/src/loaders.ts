import DataLoader from 'dataloader';
import { withDeadline, type DeadlineOptions } from './deadline.ts';
import { traced } from './tracing.ts';
import { loaderBatchSize } from './metrics.ts';

/**
 * A per-request loader whose batch function returns rows in any order; each key gets the row
 * whose `keyOf(row)` equals it, or `missing` when there is none. One statement per batch.
 * With `deadline`, the batch runs under that field's time budget (see deadline.ts).
 */
export function rowLoader<K extends string, R, V = R>(
  batch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
  options: { map?: (row: R) => V; missing?: V; deadline?: DeadlineOptions } = {},
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>((keys) =>
    guarded(options.deadline, keys.length, async () => {
      const rows = await batch(keys);
      const byKey = new Map<K, V>();
      for (const row of rows) byKey.set(keyOf(row), options.map ? options.map(row) : (row as unknown as V));
      return keys.map((k) => byKey.get(k) ?? options.missing ?? null);
    }),
  );
}

/** As rowLoader, but each key gets every row that belongs to it (one-to-many). */
export function groupLoader<K extends string, R>(
  batch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
  options: { deadline?: DeadlineOptions } = {},
): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>((keys) =>
    guarded(options.deadline, keys.length, async () => {
      const rows = await batch(keys);
      const byKey = new Map<K, R[]>();
      for (const row of rows) {
        const k = keyOf(row);
        const list = byKey.get(k);
        if (list) list.push(row);
        else byKey.set(k, [row]);
      }
      return keys.map((k) => byKey.get(k) ?? []);
    }),
  );
}

function guarded<T>(deadline: DeadlineOptions | undefined, keyCount: number, run: () => Promise<T[]>): Promise<(T | Error)[]> {
  const field = deadline?.field ?? 'load';
  loaderBatchSize.observe({ field }, keyCount);
  return traced(`batch ${field}`, () => (deadline ? withDeadline(deadline, keyCount, run) : run()), {
    'graphql.field.path': field,
    'dataloader.batch_size': keyCount,
    'deadline.hit': false,
  });
}
