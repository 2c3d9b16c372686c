import { serviceFault } from '@ecom/platform/errors';
import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { BreakerOpenError } from './subgraph-breaker.ts';
import { SubgraphFetchError } from './subgraph-transport.ts';

/**
 * When a subgraph fetch fails as a whole (timeout, refused, breaker open), Apollo Gateway would
 * report one error with no path. Instead the data source answers with one error per field the
 * fetch would have filled, at `_entities.<i>.<field>` (or the root field), which the gateway maps
 * onto the client's paths; the partial-errors plugin then folds them into one error per failure.
 */
export interface MissingField {
  /** Index into the fetch's representations; undefined for a root fetch. */
  index?: number;
  typename: string;
  /** Response name (alias or name) in the subgraph operation. */
  responseName: string;
  fieldName: string;
  /** The sub-selection, for serving a stale value of the same shape. */
  selectionSet?: SelectionSetNode;
}

export function missingFields(document: DocumentNode, representations: unknown): MissingField[] {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const fieldsOn = (set: SelectionSetNode, typename: string, out: FieldNode[] = []): FieldNode[] => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT && (!s.typeCondition || s.typeCondition.name.value === typename))
        fieldsOn(s.selectionSet, typename, out);
      else if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (f && f.typeCondition.name.value === typename) fieldsOn(f.selectionSet, typename, out);
      }
    }
    return out;
  };
  const describe = (f: FieldNode, typename: string, index?: number): MissingField => ({
    index,
    typename,
    responseName: f.alias?.value ?? f.name.value,
    fieldName: f.name.value,
    selectionSet: f.selectionSet && withFragmentsInlined(f.selectionSet, fragments),
  });

  const root = fieldsOn(operation.selectionSet, operation.operation === 'mutation' ? 'Mutation' : 'Query');
  const entities = root.find((f) => f.name.value === '_entities');
  if (!entities?.selectionSet || !Array.isArray(representations)) {
    return root.filter((f) => !f.name.value.startsWith('__')).map((f) => describe(f, operation.operation));
  }
  return representations.flatMap((rep, index) => {
    const typename = (rep as { __typename?: string }).__typename ?? '';
    return fieldsOn(entities.selectionSet!, typename)
      .filter((f) => !f.name.value.startsWith('__'))
      .map((f) => describe(f, typename, index));
  });
}

const inlined = new WeakMap<SelectionSetNode, SelectionSetNode>();

/**
 * The planner may name repeated selections as fragments in a subgraph fetch; a stale value is kept
 * by the selection's shape, so spreads become the inline fragments they stand for (once per node:
 * the planner reuses its documents, so the stale-values key is hashed once per plan too).
 */
function withFragmentsInlined(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): SelectionSetNode {
  const known = inlined.get(set);
  if (known) return known;
  const selections = set.selections.map((s): SelectionNode => {
    if (s.kind === Kind.FRAGMENT_SPREAD) {
      const f = fragments.get(s.name.value);
      if (!f) return s;
      return {
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: f.typeCondition,
        directives: s.directives,
        selectionSet: withFragmentsInlined(f.selectionSet, fragments),
      };
    }
    return s.selectionSet ? { ...s, selectionSet: withFragmentsInlined(s.selectionSet, fragments) } : s;
  });
  const out: SelectionSetNode = { ...set, selections };
  inlined.set(set, out);
  return out;
}

export function pathOf(m: MissingField): (string | number)[] {
  return m.index === undefined ? [m.responseName] : ['_entities', m.index, m.responseName];
}

/** What the data source knows of a failed fetch, for classifying it. */
export interface FailedFetch {
  service: string;
  /** Where in the client's response the missing data would have gone. */
  path?: readonly (string | number)[];
  requestId?: string;
}

function timedOut(error: unknown): boolean {
  if (error instanceof SubgraphFetchError) return error.kind === 'timeout';
  const { name } = error as { name?: string };
  return name === 'AbortError' || name === 'TimeoutError';
}

/**
 * The subgraph refused the fetch at once because it is shedding load: HTTP 503 with its own
 * `OVERLOADED` (platform load-shedding.ts). Nothing ran there, and nothing should be retried now;
 * it is the subgraph's own verdict on its capacity, so a breaker may count it as the subgraph's.
 */
export function subgraphOverloaded(error: unknown): boolean {
  const response = (error as { extensions?: { response?: { status?: unknown; body?: unknown } } } | null)?.extensions?.response;
  if (response?.status !== 503) return false;
  const errors: unknown = (response.body as { errors?: unknown } | null | undefined)?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { extensions?: { code?: unknown } } | null)?.extensions?.code === 'OVERLOADED');
}

/** A failed fetch becomes one typed fault naming the subgraph, never its internals. */
export function fetchFault(error: unknown, fetch: FailedFetch): GraphQLError {
  const { service, path } = fetch;
  const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
  if (error instanceof BreakerOpenError) return serviceFault('SERVICE_UNAVAILABLE', { service }, { circuit: 'open' }, { path });
  if (subgraphOverloaded(error)) return serviceFault('SERVICE_UNAVAILABLE', { service }, { overloaded: true }, { path });
  if (timedOut(error)) return serviceFault('TIMEOUT', { service }, {}, { path });
  // A 4xx from our own subgraph means the gateway sent something it should not have: our fault.
  if (status !== undefined && status < 500 && status !== 429) return serviceFault('INTERNAL', { service }, { requestId: fetch.requestId }, { path });
  return serviceFault('SERVICE_UNAVAILABLE', { service }, {}, { path });
}
