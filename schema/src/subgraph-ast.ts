import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type TypeNode,
} from 'graphql';

type ObjectNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

export const parseSubgraphs = (subgraphs: Record<string, string>): Record<string, DocumentNode> =>
  Object.fromEntries(Object.entries(subgraphs).map(([name, sdl]) => [name, parse(sdl)]));

export function objectNodes(doc: DocumentNode, typeName?: string): ObjectNode[] {
  return doc.definitions.filter(
    (d): d is ObjectNode =>
      (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && (typeName === undefined || d.name.value === typeName),
  );
}

export const fieldsOf = (nodes: ObjectNode[]): FieldDefinitionNode[] => nodes.flatMap((n) => n.fields ?? []);

export function directive(node: { directives?: readonly ConstDirectiveNode[] }, name: string): ConstDirectiveNode | undefined {
  return node.directives?.find((d) => d.name.value === name);
}

export function directiveArg(d: ConstDirectiveNode, arg: string): string | boolean | undefined {
  const value = d.arguments?.find((a) => a.name.value === arg)?.value;
  if (value?.kind === Kind.STRING || value?.kind === Kind.ENUM) return value.value;
  if (value?.kind === Kind.BOOLEAN) return value.value;
  return undefined;
}

/** `@key` directives of an object type across its definition and extensions. */
export const keyDirectives = (nodes: ObjectNode[]): ConstDirectiveNode[] =>
  nodes.flatMap((n) => (n.directives ?? []).filter((d) => d.name.value === 'key'));

/** Top-level field names of `@key(fields: "...")`. */
export function keyFieldNames(key: ConstDirectiveNode): string[] {
  const fields = directiveArg(key, 'fields');
  if (typeof fields !== 'string') return [];
  const op = parse(`{ ${fields} }`).definitions[0];
  if (op?.kind !== Kind.OPERATION_DEFINITION) return [];
  return op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
}

export const isNonNull = (type: TypeNode): boolean => type.kind === Kind.NON_NULL_TYPE;
