import { apiSchemaOf, readPublishedSupergraph } from '@ecom/schema/compose';
import { validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { contractOperations } from './support/operations.ts';

const apiSchema = apiSchemaOf(readPublishedSupergraph());
const operations = contractOperations();

describe('registered client operations', () => {
  it('are all found (web, mobile, backoffice)', () => {
    const names = operations.map((op) => op.name);
    expect(names).toEqual(expect.arrayContaining(['web/CategoryListing', 'mobile/MobileListing', 'backoffice/AdjustStock']));
    expect(names).not.toContain('web/fragments');
  });

  it.each(operations.map((op) => [op.name, op] as const))('%s validates against the API schema', (_name, op) => {
    const errors = validate(apiSchema, op.document).map((e) => e.message);
    expect(errors).toEqual([]);
  });
});
