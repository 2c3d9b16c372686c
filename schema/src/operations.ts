import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { defaultRegistry, type RegistryPaths } from './registry.ts';

/** Clients as they identify themselves (`apollographql-client-name`). */
export const CLIENTS = ['web', 'ios', 'android', 'backoffice'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The client contract's folders, and the registered clients each one's operations belong to. */
export const CONTRACT_CLIENTS: Record<string, readonly ClientName[]> = {
  web: ['web'],
  mobile: ['ios', 'android'],
  backoffice: ['backoffice'],
};

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface RegisteredOperation {
  client: ClientName;
  name: string;
  type: OperationType;
  /** The whole document the client sends: the operation and exactly the fragments it uses. */
  body: string;
  /** sha256 hex of body: the persisted-query id. */
  id: string;
  document: DocumentNode;
}

export interface ManifestOperation {
  id: string;
  name: string;
  type: OperationType;
  body: string;
  clientName: ClientName;
}

/** Apollo's persisted query manifest format, as the gateway's safelist reads it. */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

export const manifestFile = defaultRegistry.manifestFile;

export const operationId = (body: string): string => createHash('sha256').update(body).digest('hex');

export const operationLabel = (op: { client: string; name: string }): string => `${op.client}/${op.name}`;

/**
 * Splits a pool of definitions (one client's files) into one registered operation per operation
 * definition, each carrying the fragments it uses transitively. The body is printed with the
 * operation first and its fragments by name, so the same document always hashes the same.
 */
export function operationsFromDefinitions(client: ClientName, definitions: readonly DefinitionNode[]): RegisteredOperation[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of definitions) {
    if (d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if (fragments.has(d.name.value)) throw new Error(`${client}: fragment ${d.name.value} is defined twice`);
    fragments.set(d.name.value, d);
  }
  const operations: RegisteredOperation[] = [];
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (!d.name) throw new Error(`${client}: every registered operation needs a name`);
    const used = [...usedFragments(d, fragments)].sort();
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [d, ...used.map((n) => fragments.get(n)!)],
    };
    const body = print(document);
    operations.push({ client, name: d.name.value, type: d.operation, body, id: operationId(body), document: parse(body) });
  }
  return operations;
}

function usedFragments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): Set<string> {
  const used = new Set<string>();
  const pending: DefinitionNode[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const name = node.name.value;
        if (used.has(name)) return;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`${operation.name?.value}: fragment ${name} is not defined`);
        used.add(name);
        pending.push(fragment);
      },
    });
  }
  return used;
}

export function sortOperations<T extends { client: string; name: string }>(ops: T[]): T[] {
  const order = (c: string) => CLIENTS.indexOf(c as ClientName);
  return [...ops].sort((a, b) => order(a.client) - order(b.client) || a.name.localeCompare(b.name));
}

function graphqlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.graphql'))
        .sort()
    : [];
}

/** The registry's operations: `operations/<client>/<Name>.graphql`, each a self-contained document. */
export function readRegisteredOperations(paths: RegistryPaths = defaultRegistry): RegisteredOperation[] {
  const ops: RegisteredOperation[] = [];
  for (const client of CLIENTS) {
    const dir = join(paths.operationsDir, client);
    for (const file of graphqlFiles(dir)) {
      const found = operationsFromDefinitions(client, parse(readFileSync(join(dir, file), 'utf8')).definitions);
      const [op] = found;
      if (found.length !== 1 || !op) throw new Error(`${client}/${file}: a registered file holds exactly one operation`);
      if (`${op.name}.graphql` !== file) throw new Error(`${client}/${file}: holds operation ${op.name}; name the file ${op.name}.graphql`);
      ops.push(op);
    }
  }
  return sortOperations(ops);
}

/** The client contract's layout (web/, mobile/, backoffice/, shared fragment files), mapped to clients. */
export function readContractOperations(contractDir: string): RegisteredOperation[] {
  const ops: RegisteredOperation[] = [];
  for (const [folder, clients] of Object.entries(CONTRACT_CLIENTS)) {
    const dir = join(contractDir, folder);
    const definitions = graphqlFiles(dir).flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')).definitions);
    for (const client of clients) ops.push(...operationsFromDefinitions(client, definitions));
  }
  return sortOperations(ops);
}

export function buildManifest(ops: readonly RegisteredOperation[]): PersistedQueryManifest {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: sortOperations([...ops]).map((op) => ({ id: op.id, name: op.name, type: op.type, body: op.body, clientName: op.client })),
  };
}

export function readManifest(file: string = manifestFile): PersistedQueryManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as PersistedQueryManifest;
}
