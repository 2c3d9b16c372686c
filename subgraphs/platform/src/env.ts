import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_FIELD_BUDGETS, parseFieldBudgets, type FieldBudgets } from './deadline.ts';
import { noFaults, type FaultInjection } from './fault-injection.ts';
import { DEFAULT_LOAD_SHEDDING, type LoadSheddingSettings } from './load-shedding.ts';
import type { KeyRing, Signer, TrustedCallers } from './gateway-credential.ts';
import { CALLER_NAMES, CALLERS_OF, SUBGRAPH_NAMES, type CallerName, type SubgraphName } from './subgraph-names.ts';

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
export const booleanFlag = z.preprocess((v) => (v === undefined || v === '' ? undefined : v === 'true' || v === '1'), z.boolean().optional());

export { CALLER_NAMES, SUBGRAPH_NAMES, type CallerName, type SubgraphName } from './subgraph-names.ts';
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
 * The port a subgraph listens on: the one in its own `SUBGRAPH_URL_<NAME>`, so one set of URLs
 * configures every process (gateway, siblings and the subgraph itself) alike.
 */
export function listenPortOf(name: SubgraphName, urls: Record<SubgraphName, string>): number {
  const url = new URL(urls[name]);
  return url.port === '' ? SUBGRAPH_PORTS[name] : Number(url.port);
}

/** The repository root: `.data/` and other relative paths resolve from here, whatever the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Each caller's signing keys, by variable: `GATEWAY_SIGNING_KEYS`, `CART_SIGNING_KEYS`, `ORDER_SIGNING_KEYS`. */
export const SIGNING_KEY_VARIABLES = {
  gateway: 'GATEWAY_SIGNING_KEYS',
  cart: 'CART_SIGNING_KEYS',
  order: 'ORDER_SIGNING_KEYS',
} as const satisfies Record<CallerName, string>;

const keyRingSetting = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .regex(/^\s*[\w.-]{1,64}:[^,\s]{16,}\s*(,\s*[\w.-]{1,64}:[^,\s]{16,}\s*)*$/, 'expected kid:secret,kid:secret (secrets of 16 or more characters)')
    .optional(),
);

/** `kid:secret,kid:secret` (already checked by keyRingSetting): the first signs, every one verifies. */
export const signingKeysEnvShape = {
  GATEWAY_SIGNING_KEYS: keyRingSetting,
  CART_SIGNING_KEYS: keyRingSetting,
  ORDER_SIGNING_KEYS: keyRingSetting,
};

export type SigningKeysEnv = { NODE_ENV: 'development' | 'test' | 'production' } & Partial<
  Record<(typeof SIGNING_KEY_VARIABLES)[CallerName], string>
>;

/** A caller's documented development key, so `npm start` and tests sign with no configuration; refused in production. */
export function devKeyRing(caller: CallerName): KeyRing {
  return [{ kid: 'dev', secret: `dev-only-${caller}-signing-key` }];
}

function parseKeyRing(value: string): KeyRing {
  return value.split(',').map((entry) => {
    const at = entry.indexOf(':');
    return { kid: entry.slice(0, at).trim(), secret: entry.slice(at + 1).trim() };
  });
}

export interface RequestCredentials {
  /** How this process signs the requests it sends; absent when it calls no subgraph. */
  signer?: Signer;
  /** The keys of the callers it accepts requests from (none for the gateway). */
  trusted: TrustedCallers;
}

/**
 * The keys a process signs and verifies with: it signs as itself when it is a caller, and trusts
 * the callers CALLERS_OF names for it. Unset outside production: the development keys. In
 * production every key it needs is required, 32 bytes or more, and not a development key.
 */
export function credentialsFrom(env: SigningKeysEnv, self: SubgraphName | 'gateway'): RequestCredentials {
  const callers = self === 'gateway' ? [] : CALLERS_OF[self];
  const signs = (CALLER_NAMES as readonly string[]).includes(self) ? (self as CallerName) : undefined;
  const problems: string[] = [];
  const rings: TrustedCallers = {};
  for (const caller of new Set([...callers, ...(signs ? [signs] : [])])) {
    const variable = SIGNING_KEY_VARIABLES[caller];
    const value = env[variable];
    const ring = value === undefined ? undefined : parseKeyRing(value);
    if (ring && new Set(ring.map((k) => k.kid)).size !== ring.length) problems.push(`  ${variable}: a key id is listed twice`);
    if (env.NODE_ENV === 'production') {
      const [dev] = devKeyRing(caller);
      if (!ring) problems.push(`  ${variable}: required in production`);
      for (const key of ring ?? []) {
        const problem = productionSecretProblem(`${variable} (${key.kid})`, key.secret, dev!.secret);
        if (problem) problems.push(problem);
      }
    }
    rings[caller] = ring ?? devKeyRing(caller);
  }
  if (problems.length > 0) throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  return {
    signer: signs ? { caller: signs, key: rings[signs]![0]! } : undefined,
    trusted: Object.fromEntries(callers.map((c) => [c, rings[c]])),
  };
}

/** Environment every subgraph process shares. */
export const platformEnvShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: optionalUrl,
  /** Connections each replica holds to DATABASE_URL; replicas x this must fit max_connections (README "Running at scale"). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** A session idle inside a transaction this long is ended by the server, freeing its locks; 0: never. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** Days each mutating subgraph keeps its audit rows before the hourly sweep prunes them. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(400),
  REDIS_URL: optionalUrl,
  DATA_DIR: z.string().default('.data'),
  /** Interface the subgraph listens on; 0.0.0.0 in a container, loopback on a laptop. */
  LISTEN_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Nice value (0–19) the process lowers itself to at start (cpu-priority.ts); `npm start` gives the subgraphs 10. */
  CPU_NICE: z.coerce.number().int().min(0).max(19).default(0),
  METRICS_PORT: metricsPortSetting,
  ...signingKeysEnvShape,
  /** Default time budget of one field's batch inside a subgraph. */
  FIELD_BUDGET_MS: z.coerce.number().int().positive().default(250),
  /** Per-field budgets: `Product.priceRange=200,Variant.stock=150`. */
  FIELD_BUDGETS: z.string().optional(),
  /** Load shedding (load-shedding.ts): a request with less than this left of its deadline is refused at once. */
  LOAD_SHED_MIN_DEADLINE_MS: z.coerce.number().int().min(0).default(DEFAULT_LOAD_SHEDDING.minDeadlineMs),
  /** Reads are refused while the event loop lags more than this (averaged over about half a second); 0: never. */
  LOAD_SHED_EVENT_LOOP_LAG_MS: z.coerce.number().int().min(0).default(DEFAULT_LOAD_SHEDDING.eventLoopLagMs),
  /** Mutations are refused only past this lag (or with their deadline spent); 0: never. */
  LOAD_SHED_MUTATION_EVENT_LOOP_LAG_MS: z.coerce.number().int().min(0).default(DEFAULT_LOAD_SHEDDING.mutationEventLoopLagMs),
  /** Reads are refused while more than this × DATABASE_POOL_SIZE wait for a connection, for LOAD_SHED_DB_STANDING_MS; 0: never. */
  LOAD_SHED_DB_WAITING_PER_CONNECTION: z.coerce.number().min(0).default(DEFAULT_LOAD_SHEDDING.dbWaitingPerConnection),
  LOAD_SHED_DB_STANDING_MS: z.coerce.number().int().min(0).default(DEFAULT_LOAD_SHEDDING.dbStandingMs),
  /** Fault injection (refused in production): none | delay | error. */
  FAULT_MODE: z.enum(['none', 'delay', 'error']).default('none'),
  FAULT_DELAY_MS: z.coerce.number().int().nonnegative().default(5000),
  /** `Variant.compareAtPrice=2000`: delay inside one field's batch. */
  FAULT_FIELD_DELAYS: z.string().optional(),
  /** Domain events: RabbitMQ when set (amqp://user:pass@host:5672), else the local spool in EVENTS_DIR. */
  AMQP_URL: optionalUrl,
  /** The local spool (without AMQP_URL); default `<DATA_DIR>/events`. */
  EVENTS_DIR: z.string().optional(),
  /** Prefix of exchanges, queues and spool folders. */
  EVENTS_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/)
    .default('ecom'),
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  EVENT_RETRY_BASE_MS: z.coerce.number().int().min(1).default(500),
  EVENT_RETRY_MAX_MS: z.coerce.number().int().min(1).default(30_000),
};

export type PlatformEnv = z.infer<z.ZodObject<typeof platformEnvShape>>;

/**
 * Fault injection from the environment. Production refuses to start with any fault set, and its
 * faults are frozen at none, so nothing in the process can arm a delay, an outage or a failpoint.
 */
export function faultsFrom(env: Pick<PlatformEnv, 'NODE_ENV' | 'FAULT_MODE' | 'FAULT_DELAY_MS' | 'FAULT_FIELD_DELAYS'>): FaultInjection {
  const fieldDelaysMs = parseFieldBudgets(env.FAULT_FIELD_DELAYS);
  if (env.NODE_ENV !== 'production') return { ...noFaults(), mode: env.FAULT_MODE, delayMs: env.FAULT_DELAY_MS, fieldDelaysMs };
  if (env.FAULT_MODE !== 'none' || Object.keys(fieldDelaysMs).length > 0) {
    throw new Error('Invalid environment:\n  FAULT_MODE / FAULT_FIELD_DELAYS: fault injection is refused in production');
  }
  const none = noFaults();
  Object.freeze(none.fieldDelaysMs);
  return Object.freeze(none);
}

export function fieldBudgetsFrom(env: Pick<PlatformEnv, 'FIELD_BUDGET_MS' | 'FIELD_BUDGETS'>): FieldBudgets {
  return { ...DEFAULT_FIELD_BUDGETS, defaultMs: env.FIELD_BUDGET_MS, perField: parseFieldBudgets(env.FIELD_BUDGETS) };
}

export function loadSheddingFrom(
  env: Pick<
    PlatformEnv,
    | 'LOAD_SHED_MIN_DEADLINE_MS'
    | 'LOAD_SHED_EVENT_LOOP_LAG_MS'
    | 'LOAD_SHED_MUTATION_EVENT_LOOP_LAG_MS'
    | 'LOAD_SHED_DB_WAITING_PER_CONNECTION'
    | 'LOAD_SHED_DB_STANDING_MS'
  >,
): LoadSheddingSettings {
  return {
    minDeadlineMs: env.LOAD_SHED_MIN_DEADLINE_MS,
    eventLoopLagMs: env.LOAD_SHED_EVENT_LOOP_LAG_MS,
    mutationEventLoopLagMs: env.LOAD_SHED_MUTATION_EVENT_LOOP_LAG_MS,
    dbWaitingPerConnection: env.LOAD_SHED_DB_WAITING_PER_CONNECTION,
    dbStandingMs: env.LOAD_SHED_DB_STANDING_MS,
  };
}

/** Production keys: 32 bytes or more, and never a development default published in the README. */
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** What is wrong with a production secret, as an `Invalid environment` line; undefined when fine. */
export function productionSecretProblem(name: string, value: string | undefined, devDefault: string): string | undefined {
  if (!value) return `  ${name}: required in production`;
  if (value === devDefault || value.startsWith('dev-only-')) return `  ${name}: the documented development default is refused in production`;
  if (Buffer.byteLength(value) < MIN_PRODUCTION_SECRET_LENGTH)
    return `  ${name}: at least ${MIN_PRODUCTION_SECRET_LENGTH} random bytes in production`;
  return undefined;
}

/** What tests read from the environment: the real servers CI points them at, if any. */
export function testEnv(source: NodeJS.ProcessEnv = process.env): { databaseUrl?: string; redisUrl?: string; amqpUrl?: string } {
  const env = parseEnv({ DATABASE_URL: optionalUrl, REDIS_URL: optionalUrl, AMQP_URL: optionalUrl }, source);
  return { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, amqpUrl: env.AMQP_URL };
}

const emptyAsUndefinedEnum = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(emptyAsUndefined, z.enum(values).optional());
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

/**
 * The standard OpenTelemetry variables. They are checked here so a typo fails the start; the SDK
 * (@opentelemetry/sdk-node) then reads them itself, as it documents, for everything it builds from
 * them (exporter, protocol, headers, sampler, resource). See telemetry.ts.
 */
export const telemetryEnvShape = {
  OTEL_SDK_DISABLED: booleanFlag,
  OTEL_SERVICE_NAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: emptyAsUndefinedEnum(OTLP_PROTOCOLS),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: emptyAsUndefinedEnum(OTLP_PROTOCOLS),
  OTEL_TRACES_EXPORTER: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\s*(otlp|zipkin|console|none)(\s*,\s*(otlp|zipkin|console|none))*\s*$/, 'expected otlp, zipkin, console or none')
      .optional(),
  ),
  OTEL_TRACES_SAMPLER: emptyAsUndefinedEnum([
    'always_on',
    'always_off',
    'traceidratio',
    'parentbased_always_on',
    'parentbased_always_off',
    'parentbased_traceidratio',
  ]),
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(1).optional()),
};

export interface TelemetrySettings {
  /** OTEL_SDK_DISABLED: nothing is registered; every span is the API's no-op. */
  disabled: boolean;
  /**
   * Some trace exporter is configured: an OTLP endpoint, or an explicit OTEL_TRACES_EXPORTER other
   * than otlp/none. Without one no tracer provider is registered (spans cost next to nothing), but
   * the W3C context still passes through, so a downstream service that does export joins the trace.
   */
  exporting: boolean;
  /** The resource's service.name unless OTEL_SERVICE_NAME says otherwise. */
  defaultServiceName: string;
}

/** Telemetry settings of one process; `defaultServiceName` is the subgraph's name or `gateway`. */
export function telemetryFrom(defaultServiceName: string, source: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const env = parseEnv(telemetryEnvShape, source);
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((e) => e.trim());
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporting = !exporters.includes('none') && exporters.some((e) => e !== 'otlp' || otlpEndpoint !== undefined);
  return { disabled: env.OTEL_SDK_DISABLED === true, exporting, defaultServiceName };
}
