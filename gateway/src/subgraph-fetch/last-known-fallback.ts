import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { DocumentNode, GraphQLError, GraphQLFormattedError } from 'graphql';
import { missingFields, pathOf, type MissingField } from './fetch-failure.ts';
import { selectsStaleServable, type StaleValues } from './stale-values.ts';

/** After a good read: keep its display values, to stand in when a later fetch of them fails. */
export function rememberAnswer(
  stale: StaleValues | undefined,
  document: DocumentNode | undefined,
  representations: unknown[] | undefined,
  response: GatewayGraphQLResponse,
): void {
  const entities = (response.data as { _entities?: unknown[] } | undefined)?._entities;
  if (stale && document && representations && entities && selectsStaleServable(document))
    stale.remember(missingFields(document, representations), representations, entities);
}

/**
 * The answer to a failed read: one error per field the fetch would have filled, at a path the
 * gateway maps onto the client's response; display fields with a last-known value get it back,
 * marked stale.
 */
export async function fallbackAnswer(
  fault: GraphQLError,
  document: DocumentNode,
  representations: unknown[] | undefined,
  stale: StaleValues | undefined,
): Promise<GatewayGraphQLResponse> {
  const fields = missingFields(document, representations);
  const recalled: Map<MissingField, unknown> =
    stale && representations && selectsStaleServable(document) ? await stale.recall(fields, representations) : new Map<MissingField, unknown>();
  const errors: GraphQLFormattedError[] = fields.map((m) => ({
    message: recalled.has(m) ? `${fault.message} The last known value is shown.` : fault.message,
    path: pathOf(m),
    extensions: recalled.has(m) ? { ...fault.extensions, stale: true } : fault.extensions,
  }));
  if (recalled.size === 0 || !representations) return { errors };
  const entities: (Record<string, unknown> | null)[] = representations.map(() => null);
  for (const [m, value] of recalled) {
    const entity = (entities[m.index!] ??= {});
    entity[m.responseName] = value;
  }
  return { data: { _entities: entities }, errors };
}
