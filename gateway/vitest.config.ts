import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite prefers graphql's ESM build while @apollo/gateway (CommonJS) loads the CJS one. Two
    // copies of graphql break `instanceof GraphQLError` (errors lose their path) and schema
    // checks; in production Node loads the CJS build for everyone, so tests do the same.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  // Booting six subgraphs on PGlite, migrating and seeding takes a while on a loaded 2-core machine.
  test: { hookTimeout: 180_000, testTimeout: 60_000, fileParallelism: false },
});
