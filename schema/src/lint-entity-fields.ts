import { print, type DocumentNode } from 'graphql';
import { ENTITY_OWNERS } from './entity-owners.ts';
import type { LintFinding } from './lint-finding.ts';
import { directive, directiveArg, fieldsOf, isNonNull, keyDirectives, keyFieldNames, objectNodes } from './subgraph-ast.ts';

/**
 * Fields a subgraph adds to an entity another subgraph owns (see entity-owners.ts) are nullable,
 * so the owner's data survives that subgraph failing. Key fields and `@external` fields are the
 * owner's own and exempt.
 */
export function lintEntityFields(subgraphs: Record<string, DocumentNode>, owners: Record<string, string> = ENTITY_OWNERS): LintFinding[] {
  const findings: LintFinding[] = [];
  const declaredBy = new Map<string, { subgraph: string; resolvable: boolean; extraFields: boolean }[]>();

  for (const [subgraph, doc] of Object.entries(subgraphs)) {
    const names = new Set(objectNodes(doc).map((n) => n.name.value));
    for (const typeName of names) {
      const nodes = objectNodes(doc, typeName);
      const keys = keyDirectives(nodes);
      if (keys.length === 0) continue;
      const keyFields = new Set(keys.flatMap(keyFieldNames));
      const ownFields = fieldsOf(nodes).filter((f) => !keyFields.has(f.name.value) && !directive(f, 'external'));
      const resolvable = keys.some((k) => directiveArg(k, 'resolvable') !== false);
      declaredBy.set(typeName, [...(declaredBy.get(typeName) ?? []), { subgraph, resolvable, extraFields: ownFields.length > 0 }]);

      const owner = owners[typeName];
      if (!owner || owner === subgraph) continue;
      for (const field of ownFields) {
        if (!isNonNull(field.type)) continue;
        findings.push({
          rule: 'entity-field-nullable',
          subgraphs: [subgraph],
          coordinate: `${typeName}.${field.name.value}`,
          message:
            `${subgraph} adds ${typeName}.${field.name.value}: ${print(field.type)} to ${owner}'s entity ${typeName}; ` +
            `make it nullable (${print(field.type).replace(/!$/, '')}) so ${typeName} still resolves when ${subgraph} cannot answer.`,
        });
      }
    }
  }

  for (const [typeName, declarations] of [...declaredBy].sort(([a], [b]) => a.localeCompare(b))) {
    const owner = owners[typeName];
    const where = declarations.map((d) => d.subgraph);
    if (!owner) {
      findings.push({
        rule: 'entity-owner',
        subgraphs: where,
        coordinate: typeName,
        message: `Entity ${typeName} has no owner: add it to schema/src/entity-owners.ts (the subgraph that stores it).`,
      });
      continue;
    }
    const own = declarations.find((d) => d.subgraph === owner);
    if (own && (!own.resolvable || !own.extraFields)) {
      findings.push({
        rule: 'entity-owner',
        subgraphs: [owner],
        coordinate: typeName,
        message: `${owner} owns ${typeName} (entity-owners.ts) but declares it only as a reference; the owner declares it resolvable, with its fields.`,
      });
    }
  }
  return findings;
}
