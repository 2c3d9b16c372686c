import { Kind, parse, type DocumentNode } from 'graphql';
import type { LintFinding } from './lint-finding.ts';

/** Enum values by enum, from any SDL; federation's own join__/link__ enums are left out. */
function enumValues(doc: DocumentNode): Map<string, Set<string>> {
  const enums = new Map<string, Set<string>>();
  for (const d of doc.definitions) {
    if (d.kind !== Kind.ENUM_TYPE_DEFINITION && d.kind !== Kind.ENUM_TYPE_EXTENSION) continue;
    const name = d.name.value;
    if (name.startsWith('join__') || name.startsWith('link__')) continue;
    const values = enums.get(name) ?? new Set<string>();
    for (const v of d.values ?? []) values.add(v.name.value);
    enums.set(name, values);
  }
  return enums;
}

/**
 * Enums (ErrorCode included) only grow. Clients switch over enum values and keep old builds for
 * months, and internal callers persist them, so a value once published stays. Compared on the
 * whole supergraph, internal (@inaccessible) enums included.
 */
export function lintEnumGrowth(
  baselineSupergraph: string,
  nextSupergraph: string,
  published: Record<string, DocumentNode>,
  working: Record<string, DocumentNode>,
): LintFinding[] {
  const before = enumValues(parse(baselineSupergraph));
  const after = enumValues(parse(nextSupergraph));
  const findings: LintFinding[] = [];
  for (const [name, values] of before) {
    const now = after.get(name) ?? new Set<string>();
    for (const value of values) {
      if (now.has(value)) continue;
      const subgraphs = Object.keys(working).filter((s) => {
        const had = published[s] ? enumValues(published[s]).get(name)?.has(value) : false;
        return had && !enumValues(working[s]!).get(name)?.has(value);
      });
      findings.push({
        rule: 'enum-values-only-grow',
        subgraphs,
        coordinate: `${name}.${value}`,
        message: `${name}.${value} was removed; enum values only grow (deprecate it with @deprecated instead).`,
      });
    }
  }
  return findings;
}
