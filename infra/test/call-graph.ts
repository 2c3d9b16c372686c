import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT, SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';

export interface CallGraph {
  /** Callee → the subgraphs whose code calls it directly (SubgraphClient.request). */
  callers: Record<SubgraphName, Set<SubgraphName>>;
  /** `.request(` sites whose target is not a literal subgraph name: these cannot be checked. */
  unresolved: string[];
}

const REQUEST = /\.request\s*[<(]/g;
// `.request<…>('pricing'` or `.request('pricing'`, the generic possibly spanning lines and nesting.
const TARGETED = new RegExp(String.raw`\.request\s*(?:<[\s\S]*?>)?\s*\(\s*'(${SUBGRAPH_NAMES.join('|')})'`, 'g');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Who calls whom, read from the subgraphs' sources, so a new sibling call needs a NetworkPolicy. */
export function siblingCallGraph(): CallGraph {
  const callers = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, new Set<SubgraphName>()])) as Record<SubgraphName, Set<SubgraphName>>;
  const unresolved: string[] = [];
  for (const caller of SUBGRAPH_NAMES) {
    for (const file of sources(resolve(REPO_ROOT, 'subgraphs', caller, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const sites = text.match(REQUEST)?.length ?? 0;
      const targets = [...text.matchAll(TARGETED)].map((m) => m[1] as SubgraphName);
      if (targets.length !== sites) unresolved.push(file);
      for (const target of targets) callers[target].add(caller);
    }
  }
  return { callers, unresolved };
}
