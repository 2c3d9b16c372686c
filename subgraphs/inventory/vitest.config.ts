import { defineConfig } from 'vitest/config';

// Booting a subgraph migrates and seeds a fresh database; on a busy machine PGlite needs a while.
export default defineConfig({ test: { hookTimeout: 120_000, testTimeout: 60_000 } });
