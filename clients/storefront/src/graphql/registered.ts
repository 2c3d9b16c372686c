import manifest from '@ecom/schema/manifest';

export interface RegisteredOperation {
  id: string;
  name: string;
  body: string;
}

/**
 * The web app's registered operations (`schema/operations/manifest.json`, clientName web), bundled at
 * build time. Every request goes by one of these hashes with its registered text, so a gateway in
 * safelist mode (SAFELIST=true) serves the storefront unchanged.
 */
export const WEB_OPERATIONS: ReadonlyMap<string, RegisteredOperation> = new Map(
  manifest.operations.filter((op) => op.clientName === 'web').map((op) => [op.name, { id: op.id, name: op.name, body: op.body }]),
);
