import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stripIgnoredCharacters } from 'graphql';
import { persistedHashOf, queryTextOf, withQuery, type HttpOperation } from './http-operation.ts';
import type { Refusal } from './refusal.ts';

/** One entry of an Apollo persisted query manifest (`schema/operations/manifest.json`). */
export interface ManifestOperation {
  /** sha256 (hex) of `body`. */
  id: string;
  name: string;
  type: string;
  body: string;
  clientName?: string;
}

/** The registered operations: which body a request names, and which apps ship it. */
export interface OperationRegistry {
  readonly size: number;
  /** The registered operation a request names (by hash, or by its text), if any. */
  find(op: HttpOperation): RegisteredOperation | undefined;
}

export interface RegisteredOperation {
  body: string;
  /** The apps (`clientName`) whose manifest entries hold this body. */
  clients: ReadonlySet<string>;
}

export interface Safelist extends OperationRegistry {
  /** The request rewritten to run the registered body, or why it may not run. */
  admit(op: HttpOperation): { op: HttpOperation } | { refusal: Refusal };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const NOT_REGISTERED: Refusal = {
  status: 400,
  code: 'OPERATION_NOT_REGISTERED',
  retryable: false,
  message: 'Only registered operations run here, and this one is not registered. Send an operation your app ships with.',
};

/** Whitespace, commas and comments do not make another operation; anything else does. */
function shapeOf(text: string): string | undefined {
  try {
    return stripIgnoredCharacters(text);
  } catch {
    return undefined;
  }
}

/** The manifest indexed by id and by text shape; one body shipped by several apps is one entry. */
export function createOperationRegistry(operations: ManifestOperation[]): OperationRegistry {
  const byId = new Map<string, { body: string; clients: Set<string> }>();
  const byShape = new Map<string, { body: string; clients: Set<string> }>();
  for (const op of operations) {
    const entry = byId.get(op.id) ?? { body: op.body, clients: new Set<string>() };
    if (op.clientName) entry.clients.add(op.clientName);
    byId.set(op.id, entry);
    const shape = shapeOf(op.body);
    if (shape !== undefined) byShape.set(shape, entry);
  }
  return {
    size: byId.size,
    find(op) {
      const hash = persistedHashOf(op);
      if (hash !== undefined) return byId.get(hash);
      const text = queryTextOf(op);
      return text === undefined ? undefined : (byId.get(sha256(text)) ?? byShape.get(shapeOf(text) ?? ''));
    },
  };
}

/**
 * Safelist mode: only the operations in the manifest run. A hash (`extensions.persistedQuery`)
 * runs the registered body whatever text came with it; text alone runs if it is a registered
 * body. Everything else is OPERATION_NOT_REGISTERED, and never reaches parsing or planning.
 */
export function createSafelist(operations: ManifestOperation[]): Safelist {
  const registry = createOperationRegistry(operations);
  return {
    ...registry,
    admit(op) {
      // No hash and no text: Apollo itself answers that the request is empty.
      if (persistedHashOf(op) === undefined && queryTextOf(op) === undefined) return { op };
      const entry = registry.find(op);
      return entry ? { op: withQuery(op, entry.body) } : { refusal: NOT_REGISTERED };
    },
  };
}

/** Reads and checks a manifest; a missing file, another format or a wrong id stops the gateway at start. */
export function loadManifest(path: string): ManifestOperation[] {
  let manifest: { format?: unknown; version?: unknown; operations?: unknown };
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as typeof manifest;
  } catch (err) {
    throw new Error(`Cannot read the operation manifest ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw new Error(`${path} is not an Apollo persisted query manifest (format apollo-persisted-query-manifest, version 1)`);
  }
  const operations = manifest.operations as ManifestOperation[];
  const wrong = operations.filter((op) => typeof op.body !== 'string' || op.id !== sha256(op.body));
  if (wrong.length > 0) {
    throw new Error(`${path}: ${wrong.map((op) => op.name).join(', ')} have an id that is not the sha256 of their body`);
  }
  return operations;
}

export function loadSafelist(path: string): Safelist {
  return createSafelist(loadManifest(path));
}
