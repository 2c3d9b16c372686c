import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql for everyone (see gateway/vitest.config.ts): the gateway's env module is loaded here.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  // Starting seven processes through tsx on a loaded 2-core machine takes a while.
  test: { hookTimeout: 600_000, testTimeout: 60_000, fileParallelism: false },
});
