/**
 * The query plans Apollo's planner makes for the registered operations on the published supergraph:
 * which operation makes the most subgraph fetches (side by side), and the listing's plan itself,
 * which the hand-made client performs (hand-plan.ts).
 */
import { join } from 'node:path';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';
import { REPO_ROOT } from '@ecom/platform/env';
import { readPublishedSupergraph } from '@ecom/schema/compose';
import { parse } from 'graphql';
import { loadManifest, type ManifestOperation } from '../src/edge/safelist.ts';

export const MANIFEST_PATH = join(REPO_ROOT, 'schema/operations/manifest.json');

/**
 * Variables for the registered queries the bench can send anonymously against the demo seed. An
 * operation missing here needs a user or state of its own (a cart, an order) first.
 */
export const SEED_VARIABLES: Record<string, Record<string, unknown>> = {
  CategoryListing: { first: 48 },
  MobileListing: { first: 48 },
  // prod-002 has four variants, the most a demo product has.
  ProductDetail: { id: 'prod-002' },
  Categories: {},
};

export interface PlannedOperation {
  name: string;
  type: string;
  body: string;
  plan: QueryPlan;
  fetches: number;
  /** Fetches one after another on the longest path (a Sequence adds, a Parallel takes its longest branch). */
  levels: number;
}

type AnyNode = PlanNode | SubscriptionNode;

export function fetchNodes(node: AnyNode | undefined): FetchNode[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node];
    case 'Flatten':
      return fetchNodes(node.node);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchNodes);
    case 'Condition':
      return [...fetchNodes(node.ifClause), ...fetchNodes(node.elseClause)];
    case 'Defer':
      return [...fetchNodes(node.primary.node), ...node.deferred.flatMap((d) => fetchNodes(d.node))];
    case 'Subscription':
      return [node.primary, ...fetchNodes(node.rest)];
  }
}

export function criticalPathLevels(node: AnyNode | undefined): number {
  if (!node) return 0;
  switch (node.kind) {
    case 'Fetch':
      return 1;
    case 'Flatten':
      return criticalPathLevels(node.node);
    case 'Sequence':
      return node.nodes.reduce((sum, n) => sum + criticalPathLevels(n), 0);
    case 'Parallel':
      return Math.max(0, ...node.nodes.map(criticalPathLevels));
    case 'Condition':
      return Math.max(criticalPathLevels(node.ifClause), criticalPathLevels(node.elseClause));
    case 'Defer':
      return criticalPathLevels(node.primary.node) + Math.max(0, ...node.deferred.map((d) => criticalPathLevels(d.node)));
    case 'Subscription':
      return 1 + criticalPathLevels(node.rest);
  }
}

let planner: { supergraph: Supergraph; planner: QueryPlanner } | undefined;

/** The plan Apollo Gateway makes for `body` (its planner, on the published supergraph). */
export function planOf(body: string, operationName?: string): QueryPlan {
  if (!planner) {
    const supergraph = Supergraph.build(readPublishedSupergraph());
    planner = { supergraph, planner: new QueryPlanner(supergraph) };
  }
  const operation = operationFromDocument(planner.supergraph.schema, parse(body), { operationName });
  return planner.planner.buildQueryPlan(operation);
}

/** Every registered operation (once per body: one shipped by several apps is planned once), most fetches first. */
export function plannedOperations(manifest: ManifestOperation[] = loadManifest(MANIFEST_PATH)): PlannedOperation[] {
  const seen = new Set<string>();
  const planned: PlannedOperation[] = [];
  for (const op of manifest) {
    if (seen.has(op.id)) continue;
    seen.add(op.id);
    const plan = planOf(op.body, op.name);
    planned.push({ name: op.name, type: op.type, body: op.body, plan, fetches: fetchNodes(plan.node).length, levels: criticalPathLevels(plan.node) });
  }
  return planned.sort((a, b) => b.fetches - a.fetches || b.levels - a.levels || a.name.localeCompare(b.name));
}

export interface HeaviestQuery {
  chosen: PlannedOperation;
  variables: Record<string, unknown>;
  /** Why this one: the other operations with as many fetches, and why they were passed over. */
  note: string;
}

/**
 * The registered query with the most subgraph fetches in its plan (then the most levels). Mutations
 * are left out: a load test repeats the request thousands of times, which a mutation does not
 * survive unchanged (a cart grows, stock runs out). A query that needs state of its own first
 * (SEED_VARIABLES) gives way to an equally heavy one that runs on the seed alone.
 */
export function heaviestQuery(planned: PlannedOperation[] = plannedOperations()): HeaviestQuery {
  const top = planned[0]!;
  const queries = planned.filter((p) => p.type === 'query');
  const runnable = queries.filter((p) => p.name in SEED_VARIABLES);
  const chosen = runnable[0];
  if (!chosen) throw new Error('no registered query runs on the demo seed alone (SEED_VARIABLES)');
  const tied = planned.filter((p) => p !== chosen && p.fetches >= chosen.fetches);
  const why = (p: PlannedOperation) => (p.type !== 'query' ? 'a mutation' : 'needs state of its own');
  const note =
    `most fetches of any registered operation: ${top.fetches}; ${chosen.name} has ${chosen.fetches} in ${chosen.levels} levels` +
    (tied.length > 0 ? `; as many or more: ${tied.map((p) => `${p.name} (${why(p)})`).join(', ')}` : '');
  return { chosen, variables: SEED_VARIABLES[chosen.name]!, note };
}
