import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_FIELD_BUDGETS, parseFieldBudgets, type FieldBudgets } from './deadline.ts';
import type { FaultInjection } from './fault-injection.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from './subgraph-names.ts';

/**
 * The one place a package reads the environment. Every problem is listed at once, so a
 * misconfigured deployment fails on start with the whole story instead of one field at a time.
 */
export function parseEnv<T extends z.ZodRawShape>(shape: T, source: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  }
  return result.data;
}

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
export const optionalUrl = z.preprocess(emptyAsUndefined, z.string().url().optional());
export const booleanFlag = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : v === 'true' || v === '1'),
  z.boolean().optional(),
);

export { SUBGRAPH_NAMES, type SubgraphName } from './subgraph-names.ts';
export const SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  product: 4001,
  pricing: 4002,
  inventory: 4003,
  cart: 4004,
  order: 4005,
  marketing: 4006,
};

/** The contract's metrics ports (Prometheus `/metrics`, never on the client port); `METRICS_PORT` overrides. */
export const METRICS_PORTS: Record<'gateway' | SubgraphName, number> = {
  gateway: 9464,
  product: 9465,
  pricing: 9466,
  inventory: 9467,
  cart: 9468,
  order: 9469,
  marketing: 9470,
};

/** `METRICS_PORT`: a port, or `0` / `off` for no metrics listener (tests; two graphs on one machine). */
export const metricsPortSetting = z.preprocess(
  (v) => (v === '' ? undefined : v === 'off' ? 0 : v),
  z.coerce.number().int().min(0).max(65535).optional(),
);

/** The metrics port to listen on, or undefined when metrics are off. */
export function metricsPortOf(process: 'gateway' | SubgraphName, setting: number | undefined): number | undefined {
  if (setting === 0) return undefined;
  return setting ?? METRICS_PORTS[process];
}

/** `SUBGRAPH_URL_<NAME>` overrides, else the contract's default port on loopback. */
export function subgraphUrlsFrom(source: NodeJS.ProcessEnv = process.env): Record<SubgraphName, string> {
  const urls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const override = source[`SUBGRAPH_URL_${name.toUpperCase()}`];
    urls[name] = override && override !== '' ? override : `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`;
  }
  return urls;
}

/**
 * The port a subgraph listens on: the one in its own `SUBGRAPH_URL_<NAME>`, so that one variable says
 * both where it is reached and where it listens (a whole graph on other ports needs nothing else),
 * else the contract's default.
 */
export function subgraphPortFrom(name: SubgraphName, source: NodeJS.ProcessEnv = process.env): number {
  const { port } = new URL(subgraphUrlsFrom(source)[name]);
  return port === '' ? SUBGRAPH_PORTS[name] : Number(port);
}

/** The repository root: `.data/` and other relative paths resolve from here, whatever the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Documented development default; production must set its own (see .env.example). */
export const DEV_GATEWAY_SECRET = 'dev-only-gateway-secret-change-me';

/** Environment every subgraph process shares. */
export const platformEnvShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: optionalUrl,
  REDIS_URL: optionalUrl,
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_PORT: metricsPortSetting,
  GATEWAY_SECRET: z.string().min(16).optional(),
  /** Default time budget of one field's batch inside a subgraph. */
  FIELD_BUDGET_MS: z.coerce.number().int().positive().default(250),
  /** Per-field budgets: `Product.priceRange=200,Variant.stock=150`. */
  FIELD_BUDGETS: z.string().optional(),
  /** Fault injection (refused in production): none | delay | error. */
  FAULT_MODE: z.enum(['none', 'delay', 'error']).default('none'),
  FAULT_DELAY_MS: z.coerce.number().int().nonnegative().default(5000),
  /** `Variant.compareAtPrice=2000`: delay inside one field's batch. */
  FAULT_FIELD_DELAYS: z.string().optional(),
};

export type PlatformEnv = z.infer<z.ZodObject<typeof platformEnvShape>>;

/** Fault injection from the environment; production refuses to start with any fault set. */
export function faultsFrom(env: Pick<PlatformEnv, 'NODE_ENV' | 'FAULT_MODE' | 'FAULT_DELAY_MS' | 'FAULT_FIELD_DELAYS'>): FaultInjection {
  const fieldDelaysMs = parseFieldBudgets(env.FAULT_FIELD_DELAYS);
  if (env.NODE_ENV === 'production' && (env.FAULT_MODE !== 'none' || Object.keys(fieldDelaysMs).length > 0)) {
    throw new Error('Invalid environment:\n  FAULT_MODE / FAULT_FIELD_DELAYS: fault injection is refused in production');
  }
  return { mode: env.FAULT_MODE, delayMs: env.FAULT_DELAY_MS, fieldDelaysMs };
}

export function fieldBudgetsFrom(env: Pick<PlatformEnv, 'FIELD_BUDGET_MS' | 'FIELD_BUDGETS'>): FieldBudgets {
  return { ...DEFAULT_FIELD_BUDGETS, defaultMs: env.FIELD_BUDGET_MS, perField: parseFieldBudgets(env.FIELD_BUDGETS) };
}

/** The gateway secret, refusing the development default in production. */
export function gatewaySecretFrom(env: Pick<PlatformEnv, 'NODE_ENV' | 'GATEWAY_SECRET'>): string {
  if (env.GATEWAY_SECRET) return env.GATEWAY_SECRET;
  if (env.NODE_ENV === 'production') throw new Error('Invalid environment:\n  GATEWAY_SECRET: required in production');
  return DEV_GATEWAY_SECRET;
}

/** What tests read from the environment: the real servers CI points them at, if any. */
export function testEnv(source: NodeJS.ProcessEnv = process.env): { databaseUrl?: string; redisUrl?: string } {
  const env = parseEnv({ DATABASE_URL: optionalUrl, REDIS_URL: optionalUrl }, source);
  return { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL };
}
