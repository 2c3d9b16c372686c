import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { Kind, print, type DefinitionNode } from 'graphql';
import { readPublishedSupergraph } from './compose.ts';
import { internalOperationsDir, subgraphCallSdl } from './internal-operations.ts';
import { readRegisteredOperations } from './operations.ts';

/** The client API schema as SDL: what the registered operations are typed against. */
export const apiSdl = (): string => printSchema(Supergraph.build(readPublishedSupergraph()).apiSchema());

/**
 * Every registered operation once, with each fragment once, as one document. The mobile apps
 * register the same operations for ios and android; a name registered with different bodies
 * by two clients cannot share one generated type, so it is refused.
 */
export function registeredDocuments(): string {
  const operations = new Map<string, { body: string; definitions: readonly DefinitionNode[] }>();
  for (const op of readRegisteredOperations()) {
    const seen = operations.get(op.name);
    if (seen && seen.body !== op.body)
      throw new Error(`Operation ${op.name} is registered with different bodies by different clients; give each its own name.`);
    operations.set(op.name, { body: op.body, definitions: op.document.definitions });
  }
  const definitions = new Map<string, DefinitionNode>();
  for (const { definitions: defs } of operations.values()) {
    for (const d of defs) {
      if (d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION) continue;
      const key = `${d.kind}:${d.name?.value}`;
      const existing = definitions.get(key);
      if (existing && print(existing) !== print(d)) throw new Error(`Fragment ${d.name?.value} differs between registered operations.`);
      definitions.set(key, d);
    }
  }
  return print({ kind: Kind.DOCUMENT, definitions: [...definitions.values()] });
}

/** The subgraph's `<Name>Context` from src/context.ts, or the platform's RequestContext until it has one. */
export function subgraphContextType(name: string, srcDir: string): string {
  const contextName = `${name[0]!.toUpperCase()}${name.slice(1)}Context`;
  const contextFile = `${srcDir}/context.ts`;
  const hasContext = existsSync(contextFile) && new RegExp(`export (interface|type) ${contextName}\\b`).test(readFileSync(contextFile, 'utf8'));
  return hasContext ? `../context.ts#${contextName}` : '@ecom/platform/request-context#RequestContext';
}

/**
 * The sibling calls to type: one entry per (caller, target) folder under operations/internal, with
 * the target's callable SDL and the documents' glob (relative to `root`, where codegen runs).
 */
export function internalCallSources(
  sdls: Record<string, string>,
  root: string,
): { caller: string; target: string; schema: string; documents: string }[] {
  const dir = internalOperationsDir();
  const folders = (d: string) =>
    existsSync(d)
      ? readdirSync(d, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()
      : [];
  return folders(dir).flatMap((caller) =>
    folders(join(dir, caller)).map((target) => {
      const sdl = sdls[target];
      if (sdl === undefined) throw new Error(`operations/internal/${caller}/${target}: there is no subgraph ${target}`);
      return { caller, target, schema: subgraphCallSdl(sdl), documents: `${relative(root, join(dir, caller, target))}/*.graphql` };
    }),
  );
}
