import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

const fragments = {
  errors: new URL('./errors.graphql', import.meta.url),
  money: new URL('./money.graphql', import.meta.url),
  audit: new URL('./audit.graphql', import.meta.url),
} as const;
export type SdlFragment = keyof typeof fragments;

/**
 * A subgraph's full SDL: its own schema.graphql plus the platform fragments it includes
 * (shared error types, Money), so every subgraph declares them identically.
 */
export function subgraphSdl(schemaFile: URL, include: SdlFragment[]): string {
  return [readFileSync(schemaFile, 'utf8'), ...include.map((f) => readFileSync(fragments[f], 'utf8'))].join('\n');
}

export function subgraphTypeDefs(sdl: string): DocumentNode {
  return parse(sdl);
}
