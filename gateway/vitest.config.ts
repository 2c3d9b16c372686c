import { defineConfig } from 'vitest/config';

// Booting PGlite, migrating and seeding takes seconds on a loaded 2-core machine.
export default defineConfig({
  test: { hookTimeout: 120_000, testTimeout: 60_000 },
});
