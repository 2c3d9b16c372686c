import { MAX_BODY_BYTES } from '@ecom/platform/http-host';
import { Lexer, Source, TokenKind } from 'graphql';
import { LRUCache } from 'lru-cache';
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

/** What the raw query text may be, before anything parses it. */
export interface TextLimits {
  tokens: number;
  bytes: number;
  stringLength: number;
}

/** Verdicts on texts seen before: clients send the same few documents again and again. */
const verdicts = new WeakMap<TextLimits, LRUCache<string, Refusal | 'ok'>>();

/**
 * Size first (a cheap length check), then one pass of the lexer that stops past `tokens` or at the
 * first string literal over `stringLength`: a 10 000-token query costs the gateway no more than a
 * 2 000-token one. A lexing error is left for the parser to report. A text within the size limit
 * is lexed once: its verdict is kept for the next request that sends it.
 */
export function queryTextRefusal(query: string | undefined, limits: TextLimits): Refusal | undefined {
  if (query === undefined) return undefined;
  // UTF-8 is at most 3 bytes per UTF-16 unit: most texts are decided without counting.
  if (query.length * 3 > limits.bytes && Buffer.byteLength(query, 'utf8') > limits.bytes) return tooComplexRefusal('bytes', limits.bytes);
  let known = verdicts.get(limits);
  if (!known) verdicts.set(limits, (known = new LRUCache({ max: 1_000, maxSize: 8 * 1024 * 1024, sizeCalculation: (_v, text) => text.length + 1 })));
  const verdict = known.get(query);
  if (verdict !== undefined) return verdict === 'ok' ? undefined : verdict;
  const refusal = lexedRefusal(query, limits);
  known.set(query, refusal ?? 'ok');
  return refusal;
}

function lexedRefusal(query: string, limits: TextLimits): Refusal | undefined {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF && count <= limits.tokens; token = lexer.advance()) {
      count++;
      const literal = token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING;
      if (literal && token.value.length > limits.stringLength) return tooComplexRefusal('stringLength', limits.stringLength);
    }
  } catch {
    return undefined;
  }
  return count > limits.tokens ? tooComplexRefusal('tokens', limits.tokens) : undefined;
}
