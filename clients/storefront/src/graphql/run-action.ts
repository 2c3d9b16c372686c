import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ActionKey } from '../idempotency.ts';
import { execute, type Answer } from './client.ts';

const RETRIES = 3;
const BACKOFF_MS = 400;
/**
 * Past this a retry is not automatic: a button that spins for a rate limit's whole window helps
 * nobody. The failed answer (with its message) goes back to the page, and the key is kept, so the
 * shopper's "try again" later is the same action.
 */
const MAX_AUTOMATIC_WAIT_MS = 5_000;

/**
 * How long to wait before retry `attempt` (1, 2, …): at least what the gateway asked for in
 * `Retry-After` (an `OVERLOADED` or `RATE_LIMITED` refusal), else a step that grows with each
 * attempt; then up to half of that again at random, so shoppers refused together do not all come
 * back in the same instant and meet the gateway as one burst.
 */
export function retryDelayMs<T>(answer: Answer<T>, attempt: number, random: () => number = Math.random): number {
  const asked = answer.kind === 'failed' ? (answer.retryAfterMs ?? 0) : 0;
  const base = Math.max(asked, BACKOFF_MS * attempt);
  return base + random() * (base / 2);
}

const isInProgress = <T>(answer: Answer<T>, field: keyof T) =>
  answer.kind === 'data' && (answer.data[field] as { __typename?: string } | null)?.__typename === 'IdempotencyInProgressError';

/**
 * Runs a mutation for one user action with that action's idempotency key, retrying with the same
 * key when the answer never came (network, timeout, unavailable) or the first attempt is still running.
 * A definite outcome (the result or a business error) settles the key; a fault that outlasts the
 * retries leaves it, so the person's "try again" is still the same action.
 */
export async function runAction<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  field: keyof TData,
  key: ActionKey,
  variables: (idempotencyKey: string) => TVariables,
): Promise<Answer<TData>> {
  let answer = await execute(document, variables(key.current()));
  for (let attempt = 1; attempt <= RETRIES; attempt++) {
    const transient = (answer.kind === 'failed' && answer.errors.some((e) => e.extensions?.retryable !== false)) || isInProgress(answer, field);
    const delay = retryDelayMs(answer, attempt);
    if (!transient || delay > MAX_AUTOMATIC_WAIT_MS) break;
    await new Promise((r) => setTimeout(r, delay));
    answer = await execute(document, variables(key.current()));
  }
  if (answer.kind === 'data' && !isInProgress(answer, field)) key.settle();
  return answer;
}
