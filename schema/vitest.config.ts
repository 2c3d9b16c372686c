import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql-js for everything: federation-internals and graphql-inspector load the CommonJS
    // build from node_modules, so the code under test must too, or graphql's realm check rejects
    // schemas passed between them.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: { testTimeout: 60_000 },
});
