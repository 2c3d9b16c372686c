/**
 * A query plan performed by hand: the planner's own fetch documents sent straight to the subgraphs
 * (signed as the gateway signs them), a Sequence one after another and a Parallel at once, each
 * entity fetch's answers merged into the objects its representations came from. What is left out
 * is all a gateway adds around that: parsing, validating and planning the client's request, the
 * edge, shaping the answer to the client's selection, and the extra hop. The floor under any gateway.
 *
 * Only what the registered reads plan is supported (Sequence, Parallel, Flatten, Fetch with
 * `requires`); anything else throws rather than measuring something else.
 */
import { Agent, request } from 'node:http';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequest } from '@apollo/server-gateway-interface';
import type { Signer } from '@ecom/platform/gateway-credential';
import { signedHeaders } from '../src/subgraph-fetch/request-signing.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface HandPlanOptions {
  subgraphUrls: Record<string, string>;
  signer: Signer;
  /** The budget each request announces (x-deadline-ms), as the gateway would send it. */
  budgetMs: number;
}

export interface HandAnswer {
  data: JsonObject;
  /** Errors the subgraphs answered with, as they came. */
  errors: unknown[];
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The values a plan's `requires` selects from one object: the entity representation. */
function represent(value: Json | undefined, selections: readonly QueryPlanSelectionNode[]): Json | undefined {
  if (Array.isArray(value)) return value.map((v) => represent(v, selections) ?? null);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const s of selections) {
    if (s.kind === 'InlineFragment') {
      if (s.typeCondition && value.__typename !== s.typeCondition) continue;
      Object.assign(out, represent(value, s.selections));
    } else {
      const key = s.alias ?? s.name;
      if (!(key in value)) continue;
      out[s.name] = s.selections ? (represent(value[key], s.selections) ?? null) : value[key]!;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function merge(target: JsonObject, source: JsonObject): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) merge(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value)) existing.forEach((e, i) => isObject(e) && isObject(value[i]) && merge(e, value[i]));
    else target[key] = value;
  }
}

/** The objects at `path` under each of `objects`; `@` walks into every element of a list. */
function objectsAt(objects: JsonObject[], path: readonly (string | number)[]): JsonObject[] {
  let current: Json[] = objects;
  for (const step of path) {
    const next: Json[] = [];
    for (const value of current) {
      if (step === '@') {
        if (Array.isArray(value)) next.push(...value);
      } else if (isObject(value) && value[step] !== undefined) {
        next.push(value[step]);
      }
    }
    current = next;
  }
  return current.filter(isObject);
}

export function createHandPlanClient(options: HandPlanOptions) {
  // Keep-alive, as a gateway holds its subgraph connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  function post(url: string, headers: Record<string, string>, body: string): Promise<{ data?: JsonObject | null; errors?: unknown[] }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()) as { data?: JsonObject | null; errors?: unknown[] });
          } catch (err) {
            reject(new Error(`${url} answered ${res.statusCode} with a body that is not JSON`, { cause: err }));
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function fetchNode(node: FetchNode, objects: JsonObject[], variables: Record<string, unknown>, answer: HandAnswer, requestId: string) {
    if (node.inputRewrites?.length || node.outputRewrites?.length || node.contextRewrites?.length) {
      throw new Error(`hand plan: ${node.serviceName} fetch rewrites values, which this client does not do`);
    }
    const url = options.subgraphUrls[node.serviceName];
    if (!url) throw new Error(`hand plan: no URL for subgraph ${node.serviceName}`);
    const fetchVariables: Record<string, unknown> = {};
    for (const name of node.variableUsages ?? []) if (variables[name] !== undefined) fetchVariables[name] = variables[name];
    let targets = objects;
    if (node.requires) {
      const representations: Json[] = [];
      targets = [];
      for (const object of objects) {
        const representation = represent(object, node.requires);
        if (representation === undefined) continue;
        representations.push(representation);
        targets.push(object);
      }
      if (representations.length === 0) return;
      fetchVariables.representations = representations;
    }
    const graphqlRequest: GatewayGraphQLRequest = { query: node.operation, variables: fetchVariables, operationName: node.operationName };
    const body = JSON.stringify(graphqlRequest);
    const { pathname, search } = new URL(url);
    const headers = signedHeaders(
      { method: 'POST', path: pathname + search, body },
      { requestId },
      options.signer,
      node.serviceName,
      options.budgetMs,
    );
    const result = await post(url, headers, body);
    if (result.errors) answer.errors.push(...result.errors);
    if (!result.data) return;
    if (node.requires) {
      const entities = (result.data._entities ?? []) as Json[];
      entities.forEach((entity, i) => isObject(entity) && merge(targets[i]!, entity));
    } else {
      for (const target of targets) merge(target, result.data);
    }
  }

  async function perform(
    node: PlanNode,
    objects: JsonObject[],
    variables: Record<string, unknown>,
    answer: HandAnswer,
    requestId: string,
  ): Promise<void> {
    switch (node.kind) {
      case 'Fetch':
        return fetchNode(node, objects, variables, answer, requestId);
      case 'Flatten':
        return perform(node.node, objectsAt(objects, node.path), variables, answer, requestId);
      case 'Sequence':
        for (const n of node.nodes) await perform(n, objects, variables, answer, requestId);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((n) => perform(n, objects, variables, answer, requestId)));
        return;
      default:
        throw new Error(`hand plan: ${node.kind} nodes are not performed by this client`);
    }
  }

  return {
    /** Performs `plan` for `variables`; the merged data as the subgraphs answered it (not shaped to the client's selection). */
    async run(plan: QueryPlan, variables: Record<string, unknown>, requestId: string): Promise<HandAnswer> {
      const answer: HandAnswer = { data: {}, errors: [] };
      if (!plan.node || plan.node.kind === 'Subscription') throw new Error('hand plan: nothing to perform');
      await perform(plan.node, [answer.data], variables, answer, requestId);
      return answer;
    },
    close: () => agent.destroy(),
  };
}
