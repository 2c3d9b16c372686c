import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Lane } from './admission-control.ts';
import { persistedHashOf, queryTextOf, type HttpOperation } from './http-operation.ts';
import type { OperationRegistry } from './safelist.ts';

/** The mutations a shopper's money waits on: refused last. */
const CHECKOUT_FIELDS = new Set(['placeOrder', 'payOrder']);

export interface OperationIdentity {
  lane: Lane;
  /** What the no-load latency is kept under: the operation's text (the same document costs the same). */
  key: string;
}

/**
 * Which lane a request runs in, read from its text before Apollo parses it. One parse per distinct
 * text (clients send the same few documents again and again), kept in an LRU. A hash-only request
 * (APQ, mobile) is looked up among the registered operations; an unknown hash is a read (Apollo
 * answers PERSISTED_QUERY_NOT_FOUND or runs a text it cached: an unregistered APQ mutation is then
 * refused as early as a read, never later than it should be).
 */
export function createLaneClassifier(registry: OperationRegistry | undefined): (op: HttpOperation) => OperationIdentity {
  const known = new LRUCache<string, OperationIdentity>({ max: 1_000 });
  const classify = (text: string, operationName: unknown): OperationIdentity => {
    const cacheKey = typeof operationName === 'string' ? `${operationName}\n${text}` : text;
    const hit = known.get(cacheKey);
    if (hit) return hit;
    const identity: OperationIdentity = { lane: laneOfText(text, operationName), key: cacheKey };
    known.set(cacheKey, identity);
    return identity;
  };
  return (op) => {
    const name = operationNameOf(op);
    const text = queryTextOf(op) ?? (persistedHashOf(op) !== undefined ? registry?.find(op)?.body : undefined);
    return text === undefined ? { lane: 'read', key: persistedHashOf(op) ?? '' } : classify(text, name);
  };
}

function operationNameOf(op: HttpOperation): unknown {
  if (op.method === 'GET') return new URLSearchParams(op.search).get('operationName') ?? undefined;
  return typeof op.body === 'object' && op.body !== null ? (op.body as { operationName?: unknown }).operationName : undefined;
}

export function laneOfText(text: string, operationName: unknown): Lane {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(text, { noLocation: true }).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return 'read'; // Apollo refuses it with GRAPHQL_PARSE_FAILED
  }
  const operation = operations.length === 1 ? operations[0] : operations.find((o) => o.name?.value === operationName);
  if (operation?.operation !== 'mutation') return 'read';
  const checkout = operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && CHECKOUT_FIELDS.has(s.name.value));
  return checkout ? 'checkout' : 'mutation';
}
