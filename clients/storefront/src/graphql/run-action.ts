import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ActionKey } from '../idempotency.ts';
import { execute, type Answer } from './client.ts';

const RETRIES = 3;
const BACKOFF_MS = 400;

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
    if (!transient) break;
    await new Promise((r) => setTimeout(r, BACKOFF_MS * attempt));
    answer = await execute(document, variables(key.current()));
  }
  if (answer.kind === 'data' && !isInProgress(answer, field)) key.settle();
  return answer;
}
