// eslint-disable-next-line no-restricted-imports -- @apollo/subgraph's entry point exports no resolver-map type; the one derivable from buildSubgraphSchema's parameters is fixed to an `any` context.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { ApolloServerPlugin } from '@apollo/server';
import { audited, startAuditSweeper, DEFAULT_AUDIT_RETENTION_DAYS, type AuditTable } from './audit.ts';
import { createCache, type Cache } from './cache.ts';
import { DEFAULT_FIELD_BUDGETS, type DeadlineOptions, type FieldBudgets } from './deadline.ts';
import { noFaults, type FaultInjection } from './fault-injection.ts';
import type { LoadSheddingSettings } from './load-shedding.ts';
import { openDb, pingDb, type Db, type DbHandle } from './db.ts';
import type { RequestCredentials, SubgraphName } from './env.ts';
import type { EventsConfig } from './events/events-config.ts';
import type { Logger } from './logger.ts';
import { parse, type FieldDefinitionNode } from 'graphql';
import type { RequestContext, VerifiedRequestContext } from './request-context.ts';
import { createSubgraphClient, type SubgraphClient } from './subgraph-client.ts';
import { startSubgraph, type RunningSubgraph } from './subgraph-server.ts';

/** What a subgraph process is given; the same shape for `npm start` and for in-process tests. */
export interface SubgraphConfig {
  databaseUrl?: string;
  /** Connections to databaseUrl (postgres.js pool); default 10. */
  databasePoolSize?: number;
  /** Server sessions idle inside a transaction longer than this are ended (see DbOptions). */
  databaseIdleInTransactionTimeoutMs?: number;
  /** PGlite directory when there is no databaseUrl; omitted = in memory. */
  dataDir?: string;
  redisUrl?: string;
  /** Its signing key (cart, order) and the keys of the callers it accepts (credentialsFrom). */
  credentials: RequestCredentials;
  subgraphUrls: Record<SubgraphName, string>;
  logger: Logger;
  /** Extra settings a subgraph reads (e.g. reservation TTL), already validated by its env.ts. */
  settings?: Record<string, unknown>;
  onStatement?: (sql: string) => void;
  fieldBudgets?: FieldBudgets;
  /** Mutable: tests flip it at run time. */
  faults?: FaultInjection;
  /** How domain events travel (RabbitMQ or the local spool); unset: no relay publishing, no consumers. */
  events?: EventsConfig;
  /** Days audit rows are kept (`AUDIT_RETENTION_DAYS`); default 400. */
  auditRetentionDays?: number;
  /** When the server refuses requests at once with OVERLOADED (`LOAD_SHED_*`); default DEFAULT_LOAD_SHEDDING. */
  loadShedding?: LoadSheddingSettings;
}

export interface SubgraphDeps<TSchema extends Record<string, unknown>> {
  db: Db<TSchema>;
  cache: Cache;
  subgraphs: SubgraphClient;
  logger: Logger;
  config: SubgraphConfig;
  /** This subgraph's injected faults (config.faults, or none): tests change them on a running subgraph. */
  faults: FaultInjection;
  /** Deadline options for a loader feeding `field` (e.g. `Product.priceRange`) in this request. */
  deadlineFor(base: RequestContext, field: string): DeadlineOptions;
}

export interface SubgraphDefinition<TSchema extends Record<string, unknown>, TContext extends RequestContext> {
  name: SubgraphName;
  sdl: string;
  schema: TSchema;
  migrationsFolder: string;
  /** Idempotent: a restart must not duplicate anything. */
  seed(db: Db<TSchema>): Promise<void>;
  /** Resolver objects per GraphQL type, typed by each subgraph from codegen. */
  resolvers: Record<string, object>;
  createContext(base: VerifiedRequestContext, deps: SubgraphDeps<TSchema>): TContext;
  plugins?: (deps: SubgraphDeps<TSchema>) => ApolloServerPlugin<TContext>[];
  /** Background work (sweepers, relays) started with the server and stopped with it. */
  background?: (deps: SubgraphDeps<TSchema>) => { stop(): Promise<void> | void }[];
  /** The subgraph's audit table: every Mutation field is then recorded there (see audit.ts). */
  audit?: { table: AuditTable };
}

type Resolver = (parent: unknown, args: { input?: Record<string, unknown> } & Record<string, unknown>, ctx: RequestContext, info: unknown) => unknown;

/** Mutation fields the gateway never routes (`@inaccessible`): saga steps one subgraph asks of another. */
function internalMutations(sdl: string): Set<string> {
  const internal = new Set<string>();
  for (const def of parse(sdl).definitions) {
    if ((def.kind !== 'ObjectTypeDefinition' && def.kind !== 'ObjectTypeExtension') || def.name.value !== 'Mutation') continue;
    for (const field of def.fields ?? ([] as readonly FieldDefinitionNode[])) {
      if (field.directives?.some((d) => d.name.value === 'inaccessible')) internal.add(field.name.value);
    }
  }
  return internal;
}

/** The one place every mutation of a subgraph passes: each resolver call becomes one audited attempt. */
function auditMutations(resolvers: Record<string, object>, sdl: string, db: Db<Record<string, unknown>>, table: AuditTable): Record<string, object> {
  const mutation = resolvers.Mutation as Record<string, Resolver> | undefined;
  if (!mutation) return resolvers;
  const internal = internalMutations(sdl);
  const wrap =
    (action: string, resolve: Resolver): Resolver =>
    (parent, args, ctx, info) =>
      audited({ db, table, ctx, action, input: args.input ?? args, internal: internal.has(action) }, async () => resolve(parent, args, ctx, info));
  const wrapped = Object.fromEntries(Object.entries(mutation).map(([action, resolve]) => [action, wrap(action, resolve)]));
  return { ...resolvers, Mutation: wrapped };
}

export interface BootedSubgraph<TSchema extends Record<string, unknown>> {
  name: SubgraphName;
  deps: SubgraphDeps<TSchema>;
  dbHandle: DbHandle<TSchema>;
  listen(port: number, host?: string): Promise<RunningSubgraph>;
  /** Stops the listener (if any), background work, and closes db and cache. */
  close(): Promise<void>;
}

/** Opens the db (migrated), seeds, and returns a subgraph ready to listen. */
export async function bootSubgraph<TSchema extends Record<string, unknown>, TContext extends RequestContext>(
  def: SubgraphDefinition<TSchema, TContext>,
  config: SubgraphConfig,
): Promise<BootedSubgraph<TSchema>> {
  const logger = config.logger;
  const faults = config.faults ?? noFaults();
  config.faults = faults;
  const dbHandle = await openDb({
    schemaName: def.name,
    schema: def.schema,
    migrationsFolder: def.migrationsFolder,
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    idleInTransactionTimeoutMs: config.databaseIdleInTransactionTimeoutMs,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    onStatement: config.onStatement,
  });
  await def.seed(dbHandle.db);
  const deps: SubgraphDeps<TSchema> = {
    db: dbHandle.db,
    cache: createCache(config.redisUrl, logger, `ecom:${def.name}:`),
    subgraphs: createSubgraphClient(config.subgraphUrls, config.credentials.signer),
    logger,
    config,
    faults,
    deadlineFor(base, field) {
      return {
        field,
        service: def.name,
        deadline: base.deadline,
        budgets: config.fieldBudgets ?? DEFAULT_FIELD_BUDGETS,
        faults,
      };
    },
  };
  let running: RunningSubgraph | undefined;
  let background: { stop(): Promise<void> | void }[] = [];
  return {
    name: def.name,
    deps,
    dbHandle,
    async listen(port, host) {
      running = await startSubgraph<TContext>(
        {
          name: def.name,
          sdl: def.sdl,
          resolvers: (def.audit
            ? auditMutations(def.resolvers, def.sdl, dbHandle.db, def.audit.table)
            : def.resolvers) as GraphQLResolverMap<TContext>,
          logger,
          trustedCallers: config.credentials.trusted,
          faults,
          loadShedding: config.loadShedding,
          dbPool: dbHandle.pool,
          plugins: def.plugins?.(deps),
          extendContext: (base) => def.createContext(base, deps),
          ready: async () => {
            await pingDb(dbHandle.db);
            return true;
          },
        },
        { port, host },
      );
      background = def.background?.(deps) ?? [];
      if (def.audit) {
        const retention = config.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
        background.push(startAuditSweeper(dbHandle.db, def.audit.table, retention, logger));
      }
      logger.info({ url: running.url }, `${def.name} subgraph listening`);
      return running;
    },
    async close() {
      for (const b of background) await b.stop();
      await running?.stop();
      await deps.cache.close();
      await dbHandle.close();
    },
  };
}
