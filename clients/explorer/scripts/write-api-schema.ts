import { mkdirSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { apiSchemaOf, readPublishedSupergraph } from '@ecom/schema/compose';

// The API schema the explorer falls back on when the gateway refuses introspection (safelist
// mode, or INTROSPECTION=false): written at build time from the committed supergraph.
const out = new URL('../public/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('api-schema.graphql', out), printSchema(apiSchemaOf(readPublishedSupergraph())));
