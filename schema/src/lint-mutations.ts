import { getNamedType, isInputObjectType, isNonNullType, isUnionType, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { LintFinding } from './lint-finding.ts';
import { directive, fieldsOf, objectNodes } from './subgraph-ast.ts';

/**
 * The contract's mutation conventions, for every client-facing mutation: one `input` argument of an
 * input type with `idempotencyKey: String!`, and a union result whose members other than the one
 * success type implement DomainError (expected outcomes are data).
 *
 * `@inaccessible` mutations are exempt: they are subgraph-to-subgraph calls inside a saga
 * (reserveStock, completeCheckout, ...) and are idempotent by the ids they carry (orderId,
 * cartId); their callers retry with the same ids instead of a client-chosen key.
 */
export function lintMutations(subgraphs: Record<string, DocumentNode>, api: GraphQLSchema): LintFinding[] {
  const findings: LintFinding[] = [];
  const apiMutations = api.getMutationType()?.getFields() ?? {};
  for (const [subgraph, doc] of Object.entries(subgraphs)) {
    for (const node of fieldsOf(objectNodes(doc, 'Mutation'))) {
      if (directive(node, 'inaccessible')) continue;
      const field = apiMutations[node.name.value];
      if (!field) continue;
      const coordinate = `Mutation.${field.name}`;
      const found = (rule: LintFinding['rule'], message: string) => findings.push({ rule, subgraphs: [subgraph], coordinate, message });

      const input = field.args.find((a) => a.name === 'input');
      const inputType = input && isNonNullType(input.type) ? input.type.ofType : undefined;
      if (!inputType || !isInputObjectType(inputType)) {
        found('mutation-input', `${coordinate} must take one required \`input: <Name>Input!\` argument carrying idempotencyKey.`);
      } else {
        const key = inputType.getFields()['idempotencyKey'];
        if (!key || String(key.type) !== 'String!') {
          found(
            'mutation-input',
            `${coordinate}: its input type ${inputType.name} must have \`idempotencyKey: String!\` so a retried request never runs twice.`,
          );
        }
      }

      const result = getNamedType(field.type);
      if (!isUnionType(result)) {
        found(
          'mutation-result',
          `${coordinate} returns ${result.name}; it must return a union of its success type and the DomainError types it can produce.`,
        );
      } else {
        const others = result.getTypes().filter((t) => !t.getInterfaces().some((i) => i.name === 'DomainError'));
        if (others.length !== 1) {
          found(
            'mutation-result',
            `${coordinate} returns ${result.name}, whose members other than the success type must implement DomainError; ` +
              `members not implementing it: ${others.map((t) => t.name).join(', ') || 'none (no success type)'}.`,
          );
        }
      }
    }
  }
  return findings;
}
