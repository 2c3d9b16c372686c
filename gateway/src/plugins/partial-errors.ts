import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '@ecom/platform/request-context';
import type { GraphQLFormattedError } from 'graphql';

const PARTIAL = new Set(['TIMEOUT', 'SERVICE_UNAVAILABLE']);
const MAX_LISTED_PATHS = 100;

/**
 * A slow or down subgraph nulls the same field on every product of a page. The client gets one
 * error per failure — per (service, code, stale) — pointing at the first affected field, with every
 * affected path listed, instead of one error per product.
 */
export function foldPartialErrors(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors || errors.length < 2) return;
          response.body.singleResult.errors = fold(errors);
        },
      };
    },
  };
}

export function fold(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const out: GraphQLFormattedError[] = [];
  const groups = new Map<string, { error: GraphQLFormattedError; paths: (string | number)[][] }>();
  for (const e of errors) {
    const code = e.extensions?.code;
    const service = e.extensions?.service;
    if (typeof code !== 'string' || !PARTIAL.has(code) || typeof service !== 'string' || !e.path) {
      out.push(e);
      continue;
    }
    const key = `${service}|${code}|${e.extensions?.stale === true}`;
    const group = groups.get(key);
    if (group) {
      group.paths.push([...e.path]);
      continue;
    }
    const created = { error: e, paths: [[...e.path]] };
    groups.set(key, created);
    out.push(e);
  }
  for (const { error, paths } of groups.values()) {
    const index = out.indexOf(error);
    out[index] = {
      ...error,
      extensions: {
        ...error.extensions,
        affectedCount: paths.length,
        affectedPaths: paths.slice(0, MAX_LISTED_PATHS),
      },
    };
  }
  return out;
}
