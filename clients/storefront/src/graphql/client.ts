import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind } from 'graphql';
import { session } from '../session.ts';
import { WEB_OPERATIONS } from './registered.ts';

export interface GraphError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; service?: string; retryable?: boolean; stale?: boolean; affectedCount?: number; [key: string]: unknown };
}

/** An answer with data (complete, or partial with `errors`), or no data at all (`failed`). */
export type Answer<T> =
  | { kind: 'data'; data: T; errors: GraphError[]; requestId: string | null }
  | { kind: 'failed'; errors: GraphError[]; requestId: string | null; status: number; retryAfterMs?: number };

export const CLIENT_NAME = 'web';
const CLIENT_VERSION = 'storefront-1';

/** `Retry-After` in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  // An HTTP date is always GMT; Date.parse alone would take '-1' for a year.
  if (!/GMT\s*$/.test(header)) return undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function operationName(document: TypedDocumentNode<unknown, unknown>): string {
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const name = op && 'name' in op ? op.name?.value : undefined;
  if (!name) throw new Error('A storefront document without an operation name');
  return name;
}

/**
 * Runs one of the generated typed documents by its registered hash (with the registered text, so a
 * gateway without the safelist accepts it as an automatic persisted query). A document that is not
 * registered for web is a bug, refused here before anything is sent.
 */
export async function execute<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<Answer<TData>> {
  const name = operationName(document as TypedDocumentNode<unknown, unknown>);
  const registered = WEB_OPERATIONS.get(name);
  if (!registered) throw new Error(`${name} is not a registered web operation`);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'apollographql-client-name': CLIENT_NAME,
    'apollographql-client-version': CLIENT_VERSION,
  };
  const token = session.current()?.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        operationName: name,
        query: registered.body,
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: registered.id } },
      }),
    });
  } catch {
    return { kind: 'failed', status: 0, requestId: null, errors: [{ message: 'network', extensions: { code: 'NETWORK', retryable: true } }] };
  }
  const requestId = response.headers.get('x-request-id');
  let body: { data?: TData | null; errors?: GraphError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    return {
      kind: 'failed',
      status: response.status,
      requestId,
      errors: [{ message: 'not JSON', extensions: { code: 'INTERNAL', retryable: true } }],
    };
  }
  if (body.data === undefined || body.data === null) {
    const retryAfter = retryAfterMs(response.headers.get('retry-after'));
    return {
      kind: 'failed',
      status: response.status,
      requestId,
      errors: body.errors ?? [],
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    };
  }
  return { kind: 'data', data: body.data, errors: body.errors ?? [], requestId };
}
