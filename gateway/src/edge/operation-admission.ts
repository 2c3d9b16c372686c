import { batchRefusal, persistedQueryRefusal, queryTextOf, type HttpOperation } from './http-operation.ts';
import { queryTextRefusal, type TextLimits } from './query-limit-refusal.ts';
import type { Safelist } from './safelist.ts';
import type { Refusal } from './refusal.ts';

export interface AdmissionRules {
  /** Size, string literals and tokens of the query text. */
  text: TextLimits;
  /** Safelist mode when set. */
  safelist?: Safelist;
}

/**
 * What is checked on the raw request, before Apollo parses anything: one operation per request, a
 * bounded query text (bytes, string literals, tokens), a well-formed APQ extension, and in safelist mode a registered operation
 * (rewritten to its registered body). Depth, aliases, directives and cost need the parsed document: see plugins/query-limits.ts.
 */
export function admitOperation(op: HttpOperation, rules: AdmissionRules): { op: HttpOperation } | { refusal: Refusal } {
  const batch = batchRefusal(op.body);
  if (batch) return { refusal: batch };
  const tooLong = queryTextRefusal(queryTextOf(op), rules.text);
  if (tooLong) return { refusal: tooLong };
  // In safelist mode a registered hash names the operation and any text sent with it is ignored.
  if (rules.safelist) return rules.safelist.admit(op);
  const malformed = persistedQueryRefusal(op);
  return malformed ? { refusal: malformed } : { op };
}
