import { existsSync, readFileSync } from 'node:fs';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { Kind, parse, print, type DefinitionNode } from 'graphql';
import { readPublishedSupergraph } from './compose.ts';
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
    if (seen && seen.body !== op.body) throw new Error(`Operation ${op.name} is registered with different bodies by different clients; give each its own name.`);
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

export interface SubgraphCodegenSources {
  /** `../context.ts#<Name>Context` once the subgraph has one, else the platform's RequestContext. */
  contextType: string;
  /** GraphQL type → `../db/schema.ts#<Type>Row` for every object type a row type is exported for. */
  mappers: Record<string, string>;
}

/**
 * Conventions that let codegen follow each subgraph without a per-subgraph table:
 * the context type is `<Name>Context` in src/context.ts, and a type is backed by a row when
 * src/db/schema.ts exports `<Type>Row` for it.
 */
export function subgraphCodegenSources(name: string, sdl: string, srcDir: string): SubgraphCodegenSources {
  const contextName = `${name[0]!.toUpperCase()}${name.slice(1)}Context`;
  const contextFile = `${srcDir}/context.ts`;
  const hasContext = existsSync(contextFile) && new RegExp(`export (interface|type) ${contextName}\\b`).test(readFileSync(contextFile, 'utf8'));
  const dbFile = `${srcDir}/db/schema.ts`;
  const rows = existsSync(dbFile) ? [...readFileSync(dbFile, 'utf8').matchAll(/export type (\w+)Row\b/g)].map((m) => m[1]!) : [];
  const objectTypes = new Set(
    parse(sdl)
      .definitions.filter((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION)
      .map((d) => (d as { name: { value: string } }).name.value),
  );
  return {
    contextType: hasContext ? `../context.ts#${contextName}` : '@ecom/platform/request-context#RequestContext',
    mappers: Object.fromEntries(rows.filter((r) => objectTypes.has(r)).map((r) => [r, `../db/schema.ts#${r}Row`])),
  };
}
