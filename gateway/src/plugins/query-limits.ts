import type { ApolloServerPlugin } from '@apollo/server';
import { fault } from '@ecom/platform/errors';
import type { RequestContext } from '@ecom/platform/request-context';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { type GraphQLError, Kind, validate, visit, type DocumentNode, type GraphQLSchema, type ValueNode, type ValidationRule } from 'graphql';
import { annotateSpan } from '@ecom/platform/tracing';

export interface QueryLimits {
  /** Field nesting, fragments flattened (the deepest contract operation has 6). */
  depth: number;
  aliases: number;
  directives: number;
  /** Lexical tokens of the query text, counted before it is parsed. */
  tokens: number;
  /**
   * Bytes of query text (UTF-8), checked before it is lexed: tokens alone do not bound size, since
   * a 900 KB string literal or comment is one token or none. The largest registered operation is
   * about 1.3 KB.
   */
  bytes: number;
  /** Characters in one string literal of the query text (search terms, ids); values sent as variables are not counted. */
  stringLength: number;
  /**
   * graphql-armor's cost: 2 per object, 1 per scalar, ×1.5 per level, × the page size asked for
   * (`first`/`last`). A 100-product CategoryListing costs about 18 500; MyOrders of 100 about 38 500.
   */
  cost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  depth: 12,
  aliases: 30,
  directives: 10,
  tokens: 2_000,
  bytes: 64 * 1024,
  stringLength: 8 * 1024,
  cost: 50_000,
};

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'bytes' | 'stringLength' | 'cost' | 'size';

/**
 * Subgraphs refuse pages above 100 with INVALID_INPUT (the contract's answer); costing a larger
 * `first` at its face value would turn that answer into QUERY_TOO_COMPLEX, so it counts as 100.
 */
const MAX_PAGE_SIZE = 100;

const MESSAGES: Record<LimitName, (max: number) => string> = {
  depth: (max) => `The query nests fields more than ${max} levels deep. Ask for less nesting.`,
  aliases: (max) => `The query uses more than ${max} aliases. Split it into several requests.`,
  directives: (max) => `The query uses more than ${max} directives. Simplify it.`,
  tokens: (max) => `The query is longer than ${max} tokens. Split it into several requests.`,
  bytes: (max) => `The query text is over ${Math.round(max / 1024)} KB. Split it into several requests.`,
  stringLength: (max) => `A string in the query is longer than ${max} characters. Send long values as variables, or shorter ones.`,
  cost: (max) => `The query would cost more than ${max} to answer (page sizes multiply it). Ask for smaller pages or fewer fields.`,
  size: (max) => `The request body is over ${Math.round(max / 1024)} KB. Send a smaller request.`,
};

/** The top-level error for a query over a limit; `limit` names which one. */
export function tooComplex(limit: LimitName, max: number, found?: number): GraphQLError {
  return fault('QUERY_TOO_COMPLEX', MESSAGES[limit](max), {
    limit,
    max,
    ...(found === undefined ? {} : { found }),
    http: { status: limit === 'size' ? 413 : 400 },
  });
}

/** Armor words its messages "… exceeded, found 20."; the number is worth passing on. */
function foundIn(message: string): number | undefined {
  const match = /found (\d+(?:\.\d+)?)/.exec(message);
  return match ? Math.round(Number(match[1])) : undefined;
}

/**
 * graphql-armor's depth, alias, directive and cost rules, reporting our error instead of throwing
 * theirs. Its Apollo glue is not used as is: as validation rules their errors would be renamed
 * GRAPHQL_VALIDATION_FAILED, and its token plugin throws from a hook Apollo Server 5 answers with 500.
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const reject = (limit: LimitName, max: number): GraphQLArmorRejectCallback[] => [
    (context, error) => context?.reportError(tooComplex(limit, max, foundIn(error.message))),
  ];
  const { validationRules } = new ApolloArmor({
    maxDepth: { n: limits.depth, flattenFragments: true, propagateOnRejection: false, onReject: reject('depth', limits.depth) },
    maxAliases: { n: limits.aliases, propagateOnRejection: false, onReject: reject('aliases', limits.aliases) },
    maxDirectives: { n: limits.directives, propagateOnRejection: false, onReject: reject('directives', limits.directives) },
    costLimit: {
      maxCost: limits.cost,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: reject('cost', limits.cost),
      onAccept: [(_: unknown, { n }: { n: number }) => annotateSpan({ 'graphql.operation.cost': n })],
    },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return validationRules;
}

/**
 * Armor's cost rule multiplies by `first`/`last` only when written as a literal; clients send them
 * as variables. The document is costed with each page size written in (capped at MAX_PAGE_SIZE).
 */
export function withPageSizes(document: DocumentNode, variables: Record<string, unknown>): DocumentNode {
  const defaults = new Map<string, ValueNode>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of def.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  }
  const sizeOf = (value: ValueNode): number | undefined => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind !== Kind.VARIABLE) return undefined;
    const given = variables[value.name.value];
    if (typeof given === 'number') return given;
    const fallback = defaults.get(value.name.value);
    return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
  };
  return visit(document, {
    Argument(node) {
      if (node.name.value !== 'first' && node.name.value !== 'last') return undefined;
      const size = sizeOf(node.value);
      if (size === undefined || !Number.isInteger(size)) return undefined;
      return { ...node, value: { kind: Kind.INT, value: String(Math.min(Math.max(size, 0), MAX_PAGE_SIZE)) } };
    },
  });
}

/** The first limit a resolved operation breaks, if any. Pure, so contract operations can be checked without a server. */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  rules: ValidationRule[],
): GraphQLError | undefined {
  return validate(schema, withPageSizes(document, variables), rules)[0];
}

/** The page sizes a request asks for, as the cost sees them: the verdict for one document depends on nothing else. */
function pageSizeKey(document: DocumentNode, variables: Record<string, unknown>): string {
  let names = pageVariables.get(document);
  if (!names) {
    const found = new Set<string>();
    visit(document, {
      Argument(node) {
        if ((node.name.value === 'first' || node.name.value === 'last') && node.value.kind === Kind.VARIABLE) found.add(node.value.name.value);
      },
    });
    names = [...found];
    pageVariables.set(document, names);
  }
  return names.map((n) => String(variables[n])).join(',');
}
const pageVariables = new WeakMap<DocumentNode, string[]>();

/** Verdicts kept per schema, document and page sizes; a client may vary its page size, so a few per document. */
const MAX_VERDICTS_PER_DOCUMENT = 16;

/**
 * Runs once the operation is parsed and valid, when the variables (page sizes) are known. Body size,
 * query size, string literals and tokens are checked earlier, on the raw request
 * (edge/query-limit-refusal.ts), so nothing huge is parsed. Apollo registers an automatic persisted
 * query only after this hook passes, so a query over any limit is never stored.
 *
 * Apollo's document store hands back the same parsed document for the same text, so the verdict is
 * kept per document (and schema, which a supergraph reload replaces) and page sizes: the rules run
 * once per distinct operation, not once per request.
 */
export function queryLimits(limits: QueryLimits): ApolloServerPlugin<RequestContext> {
  const rules = queryLimitRules(limits);
  const verdicts = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, GraphQLError | null>>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const variables = request.variables ?? {};
          let bySchema = verdicts.get(schema);
          if (!bySchema) verdicts.set(schema, (bySchema = new WeakMap()));
          let byPage = bySchema.get(document);
          if (!byPage) bySchema.set(document, (byPage = new Map<string, GraphQLError | null>()));
          const key = pageSizeKey(document, variables);
          let broken = byPage.get(key);
          if (broken === undefined) {
            broken = checkQueryLimits(schema, document, variables, rules) ?? null;
            if (byPage.size < MAX_VERDICTS_PER_DOCUMENT) byPage.set(key, broken);
          }
          if (broken) throw broken;
        },
      };
    },
  };
}
