import { z } from 'zod';

/**
 * Event payload schemas as JSON Schema (draft 2020-12), and the flat view the check compares:
 * every field path (`lines[].quantity` for a field of an array's objects) with its JSON type and
 * whether it is always present.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  [key: string]: unknown;
};

/** `order.paid` v1 → `order.paid.v1`, also the registry's file name (`schema/events/order.paid.v1.json`). */
export const eventKey = (type: string, version: number) => `${type}.v${version}`;

/** The registry form of a zod payload schema: input shape, so adding fields never reads as a change of a field. */
export const toJsonSchema = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;

export interface FieldShape {
  type: string;
  required: boolean;
}

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return [...new Set(schema.anyOf.map(typeOf))].sort().join('|');
  if (Array.isArray(schema.type)) return [...schema.type].sort().join('|');
  return schema.type ?? 'any';
}

export function fieldsOf(schema: JsonSchema, prefix = '', out = new Map<string, FieldShape>()): Map<string, FieldShape> {
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    out.set(path, { type: typeOf(field), required: required.has(name) });
    const objectPart = field.anyOf?.find((s) => s.type === 'object' || s.type === 'array') ?? field;
    if (objectPart.type === 'object') fieldsOf(objectPart, `${path}.`, out);
    if (objectPart.type === 'array' && objectPart.items) fieldsOf(objectPart.items, `${path}[].`, out);
  }
  return out;
}
