import {
  getNamedType,
  isInputObjectType,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Every schema coordinate an operation touches, walked against the schema it was written for:
 * `Type` for each named type it selects, spreads on or passes, `Type.field` for each field it
 * selects, `Type.field.arg` for each argument it passes, and `Input.field` for every field of the
 * input types it sends (a client may send any of them in its variables).
 */
export function operationUsage(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);

  const useType = (type: GraphQLNamedType | undefined | null) => {
    if (!type || used.has(type.name)) return;
    used.add(type.name);
    if (!isInputObjectType(type)) return;
    for (const field of Object.values(type.getFields())) {
      used.add(`${type.name}.${field.name}`);
      useType(getNamedType(field.type));
    }
  };

  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        used.add(parent.name);
        used.add(`${parent.name}.${field.name}`);
        useType(getNamedType(field.type));
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const arg = typeInfo.getArgument();
        if (!parent || !field || !arg) return;
        used.add(`${parent.name}.${field.name}.${arg.name}`);
        useType(getNamedType(arg.type));
      },
      InlineFragment(node) {
        if (node.typeCondition) useType(schema.getType(node.typeCondition.name.value));
      },
      FragmentDefinition(node) {
        useType(schema.getType(node.typeCondition.name.value));
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type) useType(getNamedType(type));
      },
    }),
  );
  return used;
}
