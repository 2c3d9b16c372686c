import { randomBytes, randomUUID } from 'node:crypto';
import { signHeaders, type SigningKey } from './gateway-credential.ts';
import {
  CALLER_NAMES,
  credentialsFrom,
  devKeyRing,
  SIGNING_KEY_VARIABLES,
  SUBGRAPH_NAMES,
  testEnv,
  type CallerName,
  type RequestCredentials,
  type SubgraphName,
} from './env.ts';
import { DEFAULT_LOAD_SHEDDING } from './load-shedding.ts';
import { createLogger } from './logger.ts';
import type { RequestContext } from './request-context.ts';
import { bootSubgraph, type BootedSubgraph, type SubgraphConfig, type SubgraphDefinition } from './subgraph-app.ts';
import { createTestDatabase } from './test-database.ts';

export interface CallAs {
  /** Who signs: default the gateway, with its development key. */
  caller?: CallerName;
  /** Another key than the caller's development key (rotation tests). */
  key?: SigningKey;
  /** The subgraph the signature names; default the one called (a replay elsewhere names another). */
  signedFor?: SubgraphName;
  userId?: string | null;
  roles?: string[];
  requestId?: string;
  deadlineMs?: number;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Tests and tools call a subgraph as the gateway (or a sibling) does: signed, with forwarded identity. */
export async function callSubgraph<T = Record<string, unknown>>(
  url: string,
  target: SubgraphName,
  query: string,
  variables: Record<string, unknown> = {},
  as: CallAs = {},
): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const caller = as.caller ?? 'gateway';
  const { pathname, search } = new URL(url);
  const signed = signHeaders(
    { caller, key: as.key ?? devKeyRing(caller)[0]! },
    { method: 'POST', path: pathname + search, target: as.signedFor ?? target },
    {
      requestId: as.requestId ?? randomUUID(),
      userId: as.userId ?? null,
      roles: as.roles ?? [],
      deadlineMs: String(as.deadlineMs ?? 10_000),
      body,
    },
  );
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed, ...as.headers }, body });
  const json = (await res.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...json };
}

/** `<CALLER>_SIGNING_KEYS` for every caller with fresh random keys, as a deployment sets them (process tests). */
export const randomSigningKeysEnv = (): Record<string, string> =>
  Object.fromEntries(CALLER_NAMES.map((caller) => [SIGNING_KEY_VARIABLES[caller], `k1:${randomBytes(24).toString('hex')}`]));

/** The development keys `name` signs and verifies with, as `npm start` has them with no configuration. */
export const testCredentials = (name: SubgraphName | 'gateway'): RequestCredentials => credentialsFrom({ NODE_ENV: 'test' }, name);

export interface TestSubgraph<TSchema extends Record<string, unknown>> extends BootedSubgraph<TSchema> {
  url: string;
  /** Signed call to this subgraph. */
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: CallAs): Promise<GraphQLResponse<T>>;
  /** Stops it and drops its test database; once, however often it is called. */
  dispose: () => Promise<void>;
}

/**
 * Boots one subgraph on an ephemeral port: on a fresh database of its own when DATABASE_URL is
 * set (the real server in CI), on in-memory PGlite otherwise; on Redis when REDIS_URL is set.
 */
export async function startTestSubgraph<TSchema extends Record<string, unknown>, TContext extends RequestContext>(
  def: SubgraphDefinition<TSchema, TContext>,
  overrides: Partial<SubgraphConfig> = {},
): Promise<TestSubgraph<TSchema>> {
  const env = testEnv();
  const database = env.databaseUrl ? await createTestDatabase(env.databaseUrl) : undefined;
  const booted = await bootSubgraph(def, {
    databaseUrl: database?.url,
    redisUrl: env.redisUrl,
    credentials: testCredentials(def.name),
    subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, 'http://127.0.0.1:9/graphql'])) as Record<SubgraphName, string>,
    logger: createLogger(def.name, 'silent'),
    // Functional tests must not lose fields to a loaded CI machine; resilience tests pass real budgets.
    fieldBudgets: { defaultMs: 10_000, perField: {}, marginMs: 25 },
    // Nor to shedding: in tests one process hosts the whole graph, so its event-loop lag is every
    // subgraph's and the gateway's. Only a spent deadline is refused; resilience tests pass real settings.
    loadShedding: { ...DEFAULT_LOAD_SHEDDING, eventLoopLagMs: 0, mutationEventLoopLagMs: 0, dbWaitingPerConnection: 0 },
    ...overrides,
  }).catch(async (err: unknown) => {
    await database?.drop();
    throw err;
  });
  const running = await booted.listen(0);
  let disposed: Promise<void> | undefined;
  return {
    ...booted,
    url: running.url,
    call: (query, variables = {}, as = {}) => callSubgraph(running.url, def.name, query, variables, as),
    dispose: () =>
      (disposed ??= (async () => {
        await booted.close();
        await database?.drop();
      })()),
  };
}

// Each subgraph's definition is typed by its own db schema and context; the harness only boots them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = SubgraphDefinition<any, any>;
export type AnyTestSubgraph = TestSubgraph<Record<string, unknown>>;

/** Nothing listens here: a sibling pointed at it is down. */
export const DEAD_URL = 'http://127.0.0.1:9/graphql';

export interface StartSubgraphsOptions {
  /** Settings per subgraph, as its env.ts would produce them: `{ order: { reservationTtlSeconds: 2 } }`. */
  settings?: Partial<Record<SubgraphName, Record<string, unknown>>>;
  /** Any other boot config per subgraph (faults, field budgets, onStatement, logger, ...). */
  config?: Partial<Record<SubgraphName, Partial<SubgraphConfig>>>;
}

export interface StartedSubgraphs<N extends SubgraphName> {
  subgraphs: Record<N, AnyTestSubgraph>;
  /** What the subgraphs call each other at, read at request time: a test repoints one to take it down. */
  urls: Record<SubgraphName, string>;
  dispose: () => Promise<void>;
}

/**
 * The one in-process harness: boots the given subgraphs (each via startTestSubgraph, so on a fresh
 * database of its own), in the order given, cross-wired through one shared URL map; a subgraph not
 * given is down. If any fails to boot, the ones that started are disposed and the error is thrown.
 */
export async function startSubgraphs<N extends SubgraphName>(
  definitions: Record<N, AnyDefinition>,
  options: StartSubgraphsOptions = {},
): Promise<StartedSubgraphs<N>> {
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, DEAD_URL])) as Record<SubgraphName, string>;
  const subgraphs = {} as Record<N, AnyTestSubgraph>;
  const dispose = () => Promise.all(Object.values<AnyTestSubgraph>(subgraphs).map((sg) => sg.dispose())).then(() => {});
  // One after another, in the order given: several PGlite databases migrating and seeding at once
  // in one process crowd a small machine.
  try {
    for (const name of Object.keys(definitions) as N[]) {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- definitions of any schema boot alike; callers see their own types
      const sg: AnyTestSubgraph = await startTestSubgraph(definitions[name], {
        subgraphUrls: urls,
        settings: options.settings?.[name] ?? {},
        ...options.config?.[name],
      });
      subgraphs[name] = sg;
      urls[name] = sg.url;
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { subgraphs, urls, dispose };
}
