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

export interface Safelist {
  readonly size: number;
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

/**
 * Safelist mode: only the operations in the manifest run. A hash (`extensions.persistedQuery`)
 * runs the registered body whatever text came with it; text alone runs if it is a registered
 * body. Everything else is OPERATION_NOT_REGISTERED, and never reaches parsing or planning.
 */
export function createSafelist(operations: ManifestOperation[]): Safelist {
  const byId = new Map<string, ManifestOperation>();
  const byShape = new Map<string, ManifestOperation>();
  for (const op of operations) {
    byId.set(op.id, op);
    const shape = shapeOf(op.body);
    if (shape !== undefined) byShape.set(shape, op);
  }
  return {
    size: byId.size,
    admit(op) {
      const hash = persistedHashOf(op);
      const text = queryTextOf(op);
      // No hash and no text: Apollo itself answers that the request is empty.
      if (hash === undefined && text === undefined) return { op };
      const entry = hash !== undefined ? byId.get(hash) : (byId.get(sha256(text!)) ?? byShape.get(shapeOf(text!) ?? ''));
      return entry ? { op: withQuery(op, entry.body) } : { refusal: NOT_REGISTERED };
    },
  };
}

/** Reads and checks a manifest; a missing file, another format or a wrong id stops the gateway at start. */
export function loadSafelist(path: string): Safelist {
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
  return createSafelist(operations);
}
