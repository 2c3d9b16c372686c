import { MAX_BODY_BYTES } from '@ecom/platform/http-host';
import { Lexer, Source, TokenKind } from 'graphql';
import { tooComplex, type LimitName } from '../plugins/query-limits.ts';
import type { Refusal } from './refusal.ts';

/** The request body cap (the platform host's, shared with the subgraphs). */
export const BODY_LIMIT_BYTES = MAX_BODY_BYTES;

/** The query-limit fault (plugins/query-limits.ts), for a request refused before Apollo sees it. */
export function tooComplexRefusal(limit: LimitName, max: number, found?: number): Refusal {
  const { message, extensions } = tooComplex(limit, max, found);
  const { http, code: _code, retryable: _retryable, ...rest } = extensions as { http: { status: number }; code: string; retryable: boolean };
  return { status: http.status, code: 'QUERY_TOO_COMPLEX', retryable: false, message, extensions: rest };
}

/**
 * Counts tokens without parsing, and stops counting past `max`: a 10 000-token query costs the
 * gateway no more than a 2 000-token one. A lexing error is left for the parser to report.
 */
export function tokenRefusal(query: string | undefined, max: number): Refusal | undefined {
  if (query === undefined) return undefined;
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (count <= max && lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    return undefined;
  }
  return count > max ? tooComplexRefusal('tokens', max) : undefined;
}
