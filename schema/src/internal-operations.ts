import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, printSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import { defaultRegistry, type RegistryPaths } from './registry.ts';

/**
 * Calls one subgraph makes to another (cart → pricing, order → inventory, ...). They are part of
 * the registry like client operations, in `operations/internal/<caller>/<target>/<Name>.graphql`,
 * but they are written against the target subgraph's own SDL (its @inaccessible fields and
 * `_entities` included), not the client API: that is what they are generated and checked against.
 */
export interface InternalOperation {
  caller: string;
  target: string;
  name: string;
  document: DocumentNode;
}

export const internalLabel = (op: Pick<InternalOperation, 'caller' | 'target' | 'name'>): string => `internal/${op.caller}/${op.target}/${op.name}`;

const dirsIn = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];

export const internalOperationsDir = (paths: RegistryPaths = defaultRegistry): string => join(paths.operationsDir, 'internal');

/** Every registered internal operation, one per file, named after its operation. */
export function readInternalOperations(paths: RegistryPaths = defaultRegistry): InternalOperation[] {
  const root = internalOperationsDir(paths);
  const ops: InternalOperation[] = [];
  for (const caller of dirsIn(root)) {
    for (const target of dirsIn(join(root, caller))) {
      const dir = join(root, caller, target);
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith('.graphql'))
        .sort()) {
        const document = parse(readFileSync(join(dir, file), 'utf8'));
        const [op, ...rest] = document.definitions;
        if (!op || rest.length > 0 || op.kind !== Kind.OPERATION_DEFINITION || !op.name) {
          throw new Error(`internal/${caller}/${target}/${file}: an internal operation file holds exactly one named operation`);
        }
        if (`${op.name.value}.graphql` !== file) throw new Error(`internal/${caller}/${target}/${file}: name the file ${op.name.value}.graphql`);
        ops.push({ caller, target, name: op.name.value, document });
      }
    }
  }
  return ops;
}

/** The schema a sibling call runs against: the target's SDL as its server builds it, federation fields included. */
export const subgraphCallSchema = (sdl: string): GraphQLSchema => buildSubgraphSchema({ typeDefs: parse(sdl) });

/** The same, as SDL for codegen. */
export const subgraphCallSdl = (sdl: string): string => printSchema(subgraphCallSchema(sdl));
