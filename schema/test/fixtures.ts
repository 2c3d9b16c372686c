import { workingSubgraphs } from '../src/compose.ts';
import { readInternalOperations } from '../src/internal-operations.ts';
import { readRegisteredOperations } from '../src/operations.ts';
import type { CheckInput } from '../src/check.ts';

/** A copy of the working SDLs with text edits applied; every edit must find its target. */
export function editedSubgraphs(edits: { subgraph: string; from: string | RegExp; to: string }[]): Record<string, string> {
  const copy: Record<string, string> = { ...workingSubgraphs };
  for (const { subgraph, from, to } of edits) {
    const sdl = copy[subgraph];
    if (sdl === undefined) throw new Error(`no subgraph ${subgraph}`);
    const next = sdl.replace(from, to);
    if (next === sdl) throw new Error(`fixture edit found nothing to change in ${subgraph}: ${String(from)}`);
    copy[subgraph] = next;
  }
  return copy;
}

/** Today's working SDLs as the published baseline, so each fixture checks exactly its own edit. */
export function fixtureInput(working: Record<string, string>): CheckInput {
  return { working, published: { ...workingSubgraphs }, operations: readRegisteredOperations(), internalOperations: readInternalOperations() };
}
