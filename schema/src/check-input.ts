import { existsSync } from 'node:fs';
import type { CheckInput } from './check.ts';
import { workingSubgraphs } from './compose.ts';
import { readInternalOperations } from './internal-operations.ts';
import { readContractOperations, readManifest, readRegisteredOperations } from './operations.ts';
import { defaultRegistry, readPublishedSubgraphs, readSupergraphAt, type RegistryPaths } from './registry.ts';

export interface CheckSources {
  paths?: RegistryPaths;
  working?: Record<string, string>;
  /** A client-contract folder (web/, mobile/, backoffice/) to register instead of the registry's operations. */
  operationsFrom?: string;
}

/** What the CLIs check: the working SDLs against the registry on disk. */
export function loadCheckInput(sources: CheckSources = {}): CheckInput {
  const paths = sources.paths ?? defaultRegistry;
  const operations = sources.operationsFrom ? readContractOperations(sources.operationsFrom) : readRegisteredOperations(paths);
  const supergraphSdl = readSupergraphAt(paths);
  return {
    working: sources.working ?? workingSubgraphs,
    published: readPublishedSubgraphs(paths),
    ...(supergraphSdl ? { publishedSupergraph: supergraphSdl } : {}),
    operations,
    internalOperations: readInternalOperations(paths),
    registry: {
      ...(supergraphSdl ? { supergraphSdl } : {}),
      // Importing operations is what publish is for, so the manifest is only held to the registry's own files.
      ...(!sources.operationsFrom && existsSync(paths.manifestFile) ? { manifest: readManifest(paths.manifestFile) } : {}),
    },
  };
}
