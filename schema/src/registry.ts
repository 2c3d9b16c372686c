import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { supergraphFile } from './compose.ts';

/** Where the registry keeps each published artifact; tests point this at a temporary copy. */
export interface RegistryPaths {
  root: string;
  subgraphsDir: string;
  supergraphFile: string;
  operationsDir: string;
  manifestFile: string;
  changelogFile: string;
  reportsDir: string;
}

export function registryAt(root: string): RegistryPaths {
  return {
    root,
    subgraphsDir: join(root, 'subgraphs'),
    supergraphFile: join(root, 'supergraph.graphql'),
    operationsDir: join(root, 'operations'),
    manifestFile: join(root, 'operations', 'manifest.json'),
    changelogFile: join(root, 'CHANGELOG.md'),
    reportsDir: join(root, '.reports'),
  };
}

/** The committed registry, `schema/`. Its supergraph is the same file compose.ts writes. */
export const defaultRegistry: RegistryPaths = {
  ...registryAt(fileURLToPath(new URL('..', import.meta.url))),
  supergraphFile: fileURLToPath(supergraphFile),
};

/** The published SDL of every subgraph, by name (empty before the first publish). */
export function readPublishedSubgraphs(paths: RegistryPaths = defaultRegistry): Record<string, string> {
  if (!existsSync(paths.subgraphsDir)) return {};
  const published: Record<string, string> = {};
  for (const file of readdirSync(paths.subgraphsDir).sort()) {
    if (file.endsWith('.graphql')) published[file.slice(0, -'.graphql'.length)] = readFileSync(join(paths.subgraphsDir, file), 'utf8');
  }
  return published;
}

export function readSupergraphAt(paths: RegistryPaths): string | undefined {
  return existsSync(paths.supergraphFile) ? readFileSync(paths.supergraphFile, 'utf8') : undefined;
}
