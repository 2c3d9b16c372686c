import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { SUBGRAPH_NAMES, testEnv, type SubgraphName } from '@ecom/platform/env';
import type { EventsConfig } from '@ecom/platform/events/events-config';
import { createLogger } from '@ecom/platform/logger';
import { bootSubgraph, type BootedSubgraph } from '@ecom/platform/subgraph-app';
import { createTestDatabase } from '@ecom/platform/test-database';
import { testCredentials } from '@ecom/platform/testing';
import * as schema from '../../src/db/schema.ts';
import { productSubgraph } from '../../src/server.ts';

/**
 * A product subgraph on a database that outlives it (a Postgres test database, or PGlite on disk),
 * so a test can stop it and start it again on the same data, as a process restart would.
 */
export async function productStorage(): Promise<{ boot(events: EventsConfig): Promise<BootedSubgraph<typeof schema>>; drop(): Promise<void> }> {
  const env = testEnv();
  const database = env.databaseUrl ? await createTestDatabase(env.databaseUrl) : undefined;
  const dataDir = database ? undefined : mkdtempSync(join(tmpdir(), 'ecom-product-'));
  return {
    async boot(events) {
      const booted = await bootSubgraph(productSubgraph, {
        databaseUrl: database?.url,
        dataDir,
        credentials: testCredentials('product'),
        subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, 'http://127.0.0.1:9/graphql'])) as Record<SubgraphName, string>,
        logger: createLogger('product', 'silent'),
        events,
      });
      await booted.listen(0);
      return booted;
    },
    async drop() {
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function unitsSold(booted: BootedSubgraph<typeof schema>, productId: string): Promise<number> {
  const [row] = await booted.deps.db.select({ n: schema.products.unitsSold }).from(schema.products).where(eq(schema.products.id, productId));
  return row!.n;
}

export async function someVariants(booted: BootedSubgraph<typeof schema>, n: number) {
  return booted.deps.db
    .select({ id: schema.variants.id, productId: schema.variants.productId })
    .from(schema.variants)
    .orderBy(schema.variants.id)
    .limit(n);
}
