import { createHash } from 'node:crypto';
import type { Cache } from '@ecom/platform/cache';
import { print, type SelectionSetNode } from 'graphql';
import type { MissingField } from './fetch-failure.ts';

/**
 * Display-only listing fields whose last-known value may stand in when the live one misses its
 * deadline. Prices at checkout are never served from here: cart and order re-price live.
 */
export const STALE_SERVABLE = new Set(['Product.priceRange', 'Product.badges']);
const TTL_MS = 24 * 60 * 60 * 1000;

const shapeHashes = new WeakMap<SelectionSetNode, string>();
function shapeOf(set: SelectionSetNode | undefined): string {
  if (!set) return 'leaf';
  let hash = shapeHashes.get(set);
  if (!hash) {
    hash = createHash('sha1').update(print(set)).digest('hex').slice(0, 12);
    shapeHashes.set(set, hash);
  }
  return hash;
}

/** Keyed by field, selection shape and entity id, so a recalled value has exactly the shape asked. */
function keyOf(m: MissingField, id: string): string {
  return `stale:${m.typename}.${m.fieldName}:${shapeOf(m.selectionSet)}:${id}`;
}

const servable = (m: MissingField) => m.index !== undefined && STALE_SERVABLE.has(`${m.typename}.${m.fieldName}`);
const idOf = (representations: unknown[], m: MissingField) => (representations[m.index!] as { id?: unknown })?.id;

export class StaleValues {
  constructor(private readonly cache: Cache) {}

  /** After a good answer: keep its servable values. Fire and forget; a cache outage costs nothing. */
  remember(fields: MissingField[], representations: unknown[], entities: unknown[]): void {
    const entries: { key: string; value: string }[] = [];
    for (const m of fields) {
      if (!servable(m)) continue;
      const id = idOf(representations, m);
      const value = (entities[m.index!] as Record<string, unknown> | null)?.[m.responseName];
      if (typeof id === 'string' && value !== null && value !== undefined) entries.push({ key: keyOf(m, id), value: JSON.stringify(value) });
    }
    if (entries.length > 0) void this.cache.setMany(entries, TTL_MS);
  }

  /** The last-known values for the servable fields of a failed fetch, by field. */
  async recall(fields: MissingField[], representations: unknown[]): Promise<Map<MissingField, unknown>> {
    const wanted = fields.filter((m) => servable(m) && typeof idOf(representations, m) === 'string');
    const values = await this.cache.getMany(wanted.map((m) => keyOf(m, idOf(representations, m) as string)));
    const out = new Map<MissingField, unknown>();
    wanted.forEach((m, i) => {
      const raw = values[i];
      if (raw !== undefined) out.set(m, JSON.parse(raw));
    });
    return out;
  }
}
