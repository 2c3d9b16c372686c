import type { GraphError } from './client.ts';

export interface FieldIssue {
  code: string;
  service?: string;
  /** A last-known value was served in place of the live one. */
  stale: boolean;
}

/**
 * Which fields an answer could not fill live, by field name (`priceRange`, `availability`, `badges`,
 * `price`, `stock`...). The gateway folds the same failure over a whole list into one error whose
 * path names the first item, so the field name, not the index, is what applies to every card.
 */
export function fieldIssues(errors: GraphError[]): Map<string, FieldIssue> {
  const issues = new Map<string, FieldIssue>();
  for (const error of errors) {
    const field = error.path?.at(-1);
    if (typeof field !== 'string') continue;
    issues.set(field, { code: error.extensions?.code ?? 'ERROR', service: error.extensions?.service, stale: error.extensions?.stale === true });
  }
  return issues;
}
