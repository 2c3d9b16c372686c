import { createHash } from 'node:crypto';
import type { Cache } from '@ecom/platform/cache';
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { MissingField } from './fetch-failure.ts';

/**
 * Display-only listing fields whose last-known value may stand in when the live one misses its
 * deadline. Prices at checkout are never served from here: cart and order re-price live.
 */
export const STALE_SERVABLE = new Set(['Product.priceRange', 'Product.badges']);
const TTL_MS = 24 * 60 * 60 * 1000;

/** A selection without its aliases: each field by name, repeated fields merged. Null: a leaf. */
type Shape = Map<string, Shape | null>;

/**
 * Collects `set` into `into` by field name. False when the selection cannot be told apart by field
 * names alone (arguments, directives, fragment spreads): such a field is not kept at all.
 */
function collect(set: SelectionSetNode, into: Shape): boolean {
  for (const selection of set.selections) {
    if (selection.directives?.length) return false;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!collect(selection.selectionSet, into)) return false;
      continue;
    }
    if (selection.kind !== Kind.FIELD || selection.arguments?.length) return false;
    const name = selection.name.value;
    if (!selection.selectionSet) {
      into.set(name, into.get(name) ?? null);
      continue;
    }
    const sub = into.get(name) ?? new Map<string, Shape | null>();
    if (!collect(selection.selectionSet, sub)) return false;
    into.set(name, sub);
  }
  return true;
}

const describe = (shape: Shape): string =>
  [...shape.keys()]
    .sort()
    .map((name) => {
      const sub = shape.get(name);
      return sub ? `${name}{${describe(sub)}}` : name;
    })
    .join(' ');

const shapeHashes = new WeakMap<SelectionSetNode, string | null>();
/** The alias-free selection's hash: clients' aliases (kept by the query planner) never make a new key. */
function shapeOf(set: SelectionSetNode | undefined): string | null {
  if (!set) return 'leaf';
  let hash = shapeHashes.get(set);
  if (hash === undefined) {
    const shape: Shape = new Map();
    hash = collect(set, shape) ? createHash('sha1').update(describe(shape)).digest('hex').slice(0, 12) : null;
    shapeHashes.set(set, hash);
  }
  return hash;
}

/** Keyed by field, alias-free selection and entity id: what the client named things does not count. */
function keyOf(m: MissingField, id: string): string | null {
  const shape = shapeOf(m.selectionSet);
  return shape === null ? null : `stale:${m.typename}.${m.fieldName}:${shape}:${id}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(a: unknown, b: unknown): unknown {
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((v, i) => merge(v, b[i]));
  return b === undefined ? a : b;
}

/** A value as answered (under the client's aliases) → under field names, as it is stored. */
function canonical(value: unknown, set: SelectionSetNode | undefined): unknown {
  if (!set || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => canonical(v, set));
  const out: Record<string, unknown> = {};
  const fill = (s: SelectionSetNode) => {
    for (const selection of s.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) fill(selection.selectionSet);
      if (selection.kind !== Kind.FIELD) continue;
      const responseName = selection.alias?.value ?? selection.name.value;
      if (!(responseName in value)) continue;
      const name = selection.name.value;
      out[name] = merge(out[name], canonical((value as Record<string, unknown>)[responseName], selection.selectionSet));
    }
  };
  fill(set);
  return out;
}

const MISSING = Symbol('missing');

/** A stored value → under the aliases this request uses; MISSING when it lacks a field asked for. */
function project(value: unknown, set: SelectionSetNode | undefined): unknown {
  if (!set || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => project(v, set));
    return items.includes(MISSING) ? MISSING : items;
  }
  const out: Record<string, unknown> = {};
  const fill = (s: SelectionSetNode): boolean => {
    for (const selection of s.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT && !fill(selection.selectionSet)) return false;
      if (selection.kind !== Kind.FIELD) continue;
      const name = selection.name.value;
      if (!(name in value)) return false;
      const projected = project((value as Record<string, unknown>)[name], selection.selectionSet);
      if (projected === MISSING) return false;
      const responseName = selection.alias?.value ?? name;
      out[responseName] = merge(out[responseName], projected);
    }
    return true;
  };
  return fill(set) ? out : MISSING;
}

const servesStale = new WeakMap<DocumentNode, boolean>();

/**
 * Whether an entity fetch selects any field a last-known value may stand in for. Decided once per
 * fetch document (the query planner reuses its documents), so the bookkeeping is skipped outright
 * for the fetches that could never use it (stock, cart, orders).
 */
export function selectsStaleServable(document: DocumentNode): boolean {
  let known = servesStale.get(document);
  if (known === undefined) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const visit = (set: SelectionSetNode, typename: string | undefined): boolean =>
      set.selections.some((s) => {
        if (s.kind === Kind.FIELD) return typename !== undefined && STALE_SERVABLE.has(`${typename}.${s.name.value}`);
        if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet, s.typeCondition?.name.value ?? typename);
        const f = fragments.get(s.name.value);
        return f !== undefined && visit(f.selectionSet, f.typeCondition.name.value);
      });
    const entities = document.definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION ? d.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && s.name.value === '_entities') : [],
    );
    known = entities.some((e) => e.kind === Kind.FIELD && e.selectionSet !== undefined && visit(e.selectionSet, undefined));
    servesStale.set(document, known);
  }
  return known;
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
      const key = typeof id === 'string' ? keyOf(m, id) : null;
      const value = (entities[m.index!] as Record<string, unknown> | null)?.[m.responseName];
      if (key !== null && value !== null && value !== undefined) entries.push({ key, value: JSON.stringify(canonical(value, m.selectionSet)) });
    }
    if (entries.length > 0) void this.cache.setMany(entries, TTL_MS);
  }

  /** The last-known values for the servable fields of a failed fetch, by field, under this request's aliases. */
  async recall(fields: MissingField[], representations: unknown[]): Promise<Map<MissingField, unknown>> {
    const wanted = fields.flatMap((m) => {
      const id = idOf(representations, m);
      const key = servable(m) && typeof id === 'string' ? keyOf(m, id) : null;
      return key === null ? [] : [{ m, key }];
    });
    const values = await this.cache.getMany(wanted.map((w) => w.key));
    const out = new Map<MissingField, unknown>();
    wanted.forEach(({ m }, i) => {
      const raw = values[i];
      if (raw === undefined) return;
      const value = project(JSON.parse(raw), m.selectionSet);
      if (value !== MISSING) out.set(m, value);
    });
    return out;
  }
}
