import { createHash } from 'node:crypto';
import type { Refusal } from './refusal.ts';

/** What the edge reads of a GraphQL request before Apollo does: a POST body or GET search params. */
export interface HttpOperation {
  method: string;
  /** `?query=…&extensions=…` for GET; kept verbatim otherwise. */
  search: string;
  /** The parsed JSON body of a POST. */
  body: unknown;
}

type Extensions = { persistedQuery?: unknown } & Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function params(op: HttpOperation): URLSearchParams | undefined {
  return op.method === 'GET' ? new URLSearchParams(op.search) : undefined;
}

function extensionsOf(op: HttpOperation): Extensions | undefined {
  const get = params(op);
  if (get) {
    try {
      const parsed: unknown = JSON.parse(get.get('extensions') ?? 'null');
      return isObject(parsed) ? parsed : undefined;
    } catch {
      return undefined; // Apollo answers malformed extensions itself
    }
  }
  return isObject(op.body) && isObject(op.body.extensions) ? op.body.extensions : undefined;
}

/** The query text the request carries, if any. */
export function queryTextOf(op: HttpOperation): string | undefined {
  const text = params(op)?.get('query') ?? (isObject(op.body) ? op.body.query : undefined);
  return typeof text === 'string' ? text : undefined;
}

/** `extensions.persistedQuery.sha256Hash`, as APQ clients and mobile apps with registered operations send it. */
export function persistedHashOf(op: HttpOperation): string | undefined {
  const persisted = extensionsOf(op)?.persistedQuery;
  const hash = isObject(persisted) ? persisted.sha256Hash : undefined;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * Apollo answers a malformed APQ extension or a hash that is not the text's with an error that has
 * no code (it would read as INTERNAL, retryable): a client mistake, answered here as INVALID_INPUT.
 */
export function persistedQueryRefusal(op: HttpOperation): Refusal | undefined {
  const persisted = extensionsOf(op)?.persistedQuery;
  if (persisted === undefined) return undefined;
  const invalid = (message: string): Refusal => ({ status: 400, code: 'INVALID_INPUT', retryable: false, message });
  if (!isObject(persisted) || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') {
    return invalid('extensions.persistedQuery must be { "version": 1, "sha256Hash": "<sha256 of the query, hex>" }.');
  }
  const text = queryTextOf(op);
  if (text !== undefined && createHash('sha256').update(text).digest('hex') !== persisted.sha256Hash) {
    return invalid('extensions.persistedQuery.sha256Hash is not the sha256 of the query sent. Hash exactly the text you send.');
  }
  return undefined;
}

/** The request with `query` set and the persisted-query extension dropped (Apollo runs it as plain text). */
export function withQuery(op: HttpOperation, query: string): HttpOperation {
  const { persistedQuery: _drop, ...extensions } = extensionsOf(op) ?? {};
  const get = params(op);
  if (get) {
    get.set('query', query);
    if (Object.keys(extensions).length > 0) get.set('extensions', JSON.stringify(extensions));
    else get.delete('extensions');
    return { ...op, search: `?${get.toString()}` };
  }
  const body = isObject(op.body) ? op.body : {};
  return { ...op, body: { ...body, query, extensions } };
}

/** One operation per request: a JSON array (a batch) would multiply every per-request limit. */
export function batchRefusal(body: unknown): Refusal | undefined {
  if (!Array.isArray(body)) return undefined;
  return {
    status: 400,
    code: 'INVALID_INPUT',
    retryable: false,
    message: 'Batched requests are not accepted. Send one operation per request.',
  };
}
