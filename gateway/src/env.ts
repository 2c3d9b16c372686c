import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  booleanFlag,
  credentialsFrom,
  metricsPortOf,
  metricsPortSetting,
  parseEnv,
  productionSecretProblem,
  REPO_ROOT,
  signingKeysEnvShape,
  subgraphUrlsFrom,
  telemetryFrom,
  type SubgraphName,
  type TelemetrySettings,
} from '@ecom/platform/env';
import { parseFieldBudgets } from '@ecom/platform/deadline';
import type { Signer } from '@ecom/platform/gateway-credential';
import { z } from 'zod';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './subgraph-fetch/resilience.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './plugins/query-limits.ts';
import type { RateLimitSettings } from './edge/rate-limit.ts';
import { DEFAULT_ADMISSION, type AdmissionSettings } from './edge/admission-control.ts';
import type { TokenClaims } from './edge/auth.ts';

/** Documented development default (README, .env.example); refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';

const shape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  JWT_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  /** `kid:secret,kid:secret`: the gateway signs subgraph requests with the first (README "Edge", key rotation). */
  GATEWAY_SIGNING_KEYS: signingKeysEnvShape.GATEWAY_SIGNING_KEYS,
  SUPERGRAPH_PATH: z.string().default(resolve(REPO_ROOT, 'schema/supergraph.graphql')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_PORT: metricsPortSetting,
  REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(10_000),
  REDIS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** Overall deadline of a read (the listing promise is 500 ms end to end). */
  QUERY_DEADLINE_MS: z.coerce.number().int().positive().max(60_000).default(DEFAULT_RESILIENCE.queryDeadlineMs),
  MUTATION_DEADLINE_MS: z.coerce.number().int().positive().max(120_000).default(DEFAULT_RESILIENCE.mutationDeadlineMs),
  /** Longest a read waits for one subgraph; per subgraph: SUBGRAPH_TIMEOUTS=pricing=300,inventory=300 */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(DEFAULT_RESILIENCE.subgraphTimeoutMs),
  SUBGRAPH_TIMEOUTS: z.string().optional(),
  // --- the edge (README "Edge") ---
  /** RS256 tokens from an identity provider, besides HS256 with JWT_SECRET. */
  JWKS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** `iss` / `aud` every client token must carry (required in production with a JWKS). */
  JWT_ISSUER: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  JWT_AUDIENCE: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  /** Browser origins allowed to call, comma-separated, or `*`. */
  CORS_ORIGINS: z.string().default(''),
  /** Requests per principal (user, else client IP) per window; 0 turns rate limiting off. */
  RATE_LIMIT_POINTS: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().max(86_400).default(60),
  /** placeOrder attempts per user per window, apart from (and below) RATE_LIMIT_POINTS. */
  RATE_LIMIT_CHECKOUT_POINTS: z.coerce.number().int().min(1).default(20),
  /** Per app, all its users together: `web=20000,ios=10000` (apollographql-client-name). */
  RATE_LIMIT_CLIENTS: z
    .string()
    .regex(/^\s*([\w.-]+\s*=\s*\d+\s*(,\s*[\w.-]+\s*=\s*\d+\s*)*)?$/, 'expected name=points,name=points')
    .default(''),
  /** Only the operations in OPERATION_MANIFEST_PATH run. */
  SAFELIST: booleanFlag,
  OPERATION_MANIFEST_PATH: z.string().default(resolve(REPO_ROOT, 'schema/operations/manifest.json')),
  /** How often the supergraph file is checked for changes; 0: never reloaded. */
  SUPERGRAPH_POLL_MS: z.coerce.number().int().min(0).default(1_000),
  QUERY_MAX_DEPTH: z.coerce.number().int().positive().default(DEFAULT_QUERY_LIMITS.depth),
  QUERY_MAX_ALIASES: z.coerce.number().int().min(0).default(DEFAULT_QUERY_LIMITS.aliases),
  QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(DEFAULT_QUERY_LIMITS.directives),
  QUERY_MAX_TOKENS: z.coerce.number().int().positive().default(DEFAULT_QUERY_LIMITS.tokens),
  /** Bytes of query text; the body cap (1 MB) still bounds variables. */
  QUERY_MAX_BYTES: z.coerce.number().int().positive().default(DEFAULT_QUERY_LIMITS.bytes),
  /** Characters in one string literal of the query text. */
  QUERY_MAX_STRING_LENGTH: z.coerce.number().int().positive().default(DEFAULT_QUERY_LIMITS.stringLength),
  QUERY_MAX_COST: z.coerce.number().positive().default(DEFAULT_QUERY_LIMITS.cost),
  /** Admission control (README "Degrade, never collapse"): bounds of the adaptive concurrency limit. */
  ADMISSION_LIMIT_MIN: z.coerce.number().int().positive().default(DEFAULT_ADMISSION.limit.min),
  ADMISSION_LIMIT_MAX: z.coerce.number().int().positive().default(DEFAULT_ADMISSION.limit.max),
  /** Latency over an operation's no-load latency that still counts as uncongested. */
  ADMISSION_TOLERANCE: z.coerce.number().min(1.1).max(10).default(DEFAULT_ADMISSION.limit.tolerance),
  /** Longest wait for a slot before OVERLOADED, per lane (reads: 0, refused at once over the limit). */
  ADMISSION_QUEUE_READ_MS: z.coerce.number().int().min(0).max(1_000).default(DEFAULT_ADMISSION.queueWaitMs.read),
  ADMISSION_QUEUE_MUTATION_MS: z.coerce.number().int().min(0).max(5_000).default(DEFAULT_ADMISSION.queueWaitMs.mutation),
  ADMISSION_QUEUE_CHECKOUT_MS: z.coerce.number().int().min(0).max(5_000).default(DEFAULT_ADMISSION.queueWaitMs.checkout),
  /** Largest share of a lane's slots one user (or client address) may hold. */
  ADMISSION_PRINCIPAL_SHARE: z.coerce.number().gt(0).max(1).default(DEFAULT_ADMISSION.principalShare),
  /** Schema introspection; default: on except in production. */
  INTROSPECTION: booleanFlag,
  /** The offline explorer at GET /graphql (clients/explorer); default: on except in production. */
  EXPLORER: booleanFlag,
};

export interface EdgeEnv {
  jwksUrl?: string;
  tokenClaims: TokenClaims;
  corsOrigins: string[];
  /** Undefined: rate limiting off. */
  rateLimit?: RateLimitSettings;
  /** Set in safelist mode: the manifest to load. */
  safelistManifestPath?: string;
  /** The registered operations, when the manifest exists: which app each belongs to (app rate budgets). */
  operationManifestPath?: string;
  /** 0: the supergraph file is read once. */
  supergraphPollMs: number;
  queryLimits: QueryLimits;
  introspection: boolean;
  /** Set when the explorer is served; devTokenSecret only outside production. */
  explorer?: { distDir: string; devTokenSecret?: string };
}

/** `web=20000, ios=10000` (already checked by the regex above). */
function clientLimits(spec: string): Record<string, number> {
  return Object.fromEntries(
    spec
      .split(',')
      .map((part) => part.split('=').map((s) => s.trim()))
      .filter(([name, points]) => name && points)
      .map(([name, points]) => [name!, Number(points)]),
  );
}

export interface GatewayEnv {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  jwtSecret: string;
  /** The gateway's own key for signing subgraph requests. */
  signer: Signer;
  supergraphPath: string;
  subgraphUrls: Record<SubgraphName, string>;
  logLevel: string;
  /** Prometheus `/metrics` port; undefined = off. */
  metricsPort?: number;
  requestTimeoutMs: number;
  redisUrl?: string;
  resilience: ResilienceSettings;
  admission: AdmissionSettings;
  edge: EdgeEnv;
}

/** The only reader of process.env in the gateway; every problem is reported at once. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const problems: string[] = [];
  let env: z.infer<z.ZodObject<typeof shape>> | undefined;
  try {
    env = parseEnv(shape, source);
  } catch (err) {
    problems.push(...(err as Error).message.split('\n').slice(1));
  }
  const nodeEnv = env?.NODE_ENV ?? (source.NODE_ENV === 'production' ? 'production' : 'development');
  const jwtProblem = nodeEnv === 'production' ? productionSecretProblem('JWT_SECRET', env?.JWT_SECRET, DEV_JWT_SECRET) : undefined;
  if (jwtProblem) problems.push(jwtProblem);
  if (nodeEnv === 'production' && env?.JWKS_URL && !(env.JWT_ISSUER && env.JWT_AUDIENCE)) {
    problems.push('  JWT_ISSUER / JWT_AUDIENCE: required in production with JWKS_URL (tokens of other issuers or services would pass)');
  }
  let signer: Signer | undefined;
  try {
    signer = credentialsFrom({ NODE_ENV: nodeEnv, GATEWAY_SIGNING_KEYS: env?.GATEWAY_SIGNING_KEYS }, 'gateway').signer;
  } catch (err) {
    problems.push(...(err as Error).message.split('\n').slice(1));
  }
  const subgraphUrls = subgraphUrlsFrom(source);
  for (const [name, url] of Object.entries(subgraphUrls)) {
    if (!URL.canParse(url)) problems.push(`  SUBGRAPH_URL_${name.toUpperCase()}: not a URL (${url})`);
  }
  // Checked even when other values are bad, so the whole story is told at once.
  const safelist = env ? env.SAFELIST === true : ['true', '1'].includes(source.SAFELIST ?? '');
  const manifestPath = resolve(REPO_ROOT, env?.OPERATION_MANIFEST_PATH ?? source.OPERATION_MANIFEST_PATH ?? 'schema/operations/manifest.json');
  if (env && env.ADMISSION_LIMIT_MIN > env.ADMISSION_LIMIT_MAX) problems.push('  ADMISSION_LIMIT_MIN: above ADMISSION_LIMIT_MAX');
  if (safelist && !existsSync(manifestPath)) problems.push(`  OPERATION_MANIFEST_PATH: no manifest at ${manifestPath} (SAFELIST=true)`);
  if (problems.length > 0 || !env || !signer) throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  return {
    nodeEnv,
    port: env.PORT,
    jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
    signer,
    supergraphPath: resolve(REPO_ROOT, env.SUPERGRAPH_PATH),
    subgraphUrls,
    logLevel: env.LOG_LEVEL,
    metricsPort: metricsPortOf('gateway', env.METRICS_PORT),
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    redisUrl: env.REDIS_URL,
    resilience: {
      ...DEFAULT_RESILIENCE,
      queryDeadlineMs: env.QUERY_DEADLINE_MS,
      mutationDeadlineMs: env.MUTATION_DEADLINE_MS,
      subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      perSubgraphTimeoutMs: parseFieldBudgets(env.SUBGRAPH_TIMEOUTS),
    },
    admission: {
      ...DEFAULT_ADMISSION,
      limit: {
        ...DEFAULT_ADMISSION.limit,
        min: env.ADMISSION_LIMIT_MIN,
        max: env.ADMISSION_LIMIT_MAX,
        initial: Math.min(env.ADMISSION_LIMIT_MAX, Math.max(env.ADMISSION_LIMIT_MIN, DEFAULT_ADMISSION.limit.initial)),
        tolerance: env.ADMISSION_TOLERANCE,
      },
      queueWaitMs: { read: env.ADMISSION_QUEUE_READ_MS, mutation: env.ADMISSION_QUEUE_MUTATION_MS, checkout: env.ADMISSION_QUEUE_CHECKOUT_MS },
      // A mutation or checkout joins the queue if expected to start within its queue time; a read, when given a queue, only soon.
      expectedWaitMs: {
        read: Math.min(DEFAULT_ADMISSION.expectedWaitMs.read, env.ADMISSION_QUEUE_READ_MS),
        mutation: env.ADMISSION_QUEUE_MUTATION_MS,
        checkout: env.ADMISSION_QUEUE_CHECKOUT_MS,
      },
      principalShare: env.ADMISSION_PRINCIPAL_SHARE,
    },
    edge: {
      jwksUrl: env.JWKS_URL,
      tokenClaims: { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
      corsOrigins: env.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      rateLimit:
        env.RATE_LIMIT_POINTS > 0
          ? {
              points: env.RATE_LIMIT_POINTS,
              windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
              clients: clientLimits(env.RATE_LIMIT_CLIENTS),
              checkoutPoints: env.RATE_LIMIT_CHECKOUT_POINTS,
            }
          : undefined,
      safelistManifestPath: safelist ? manifestPath : undefined,
      operationManifestPath: existsSync(manifestPath) ? manifestPath : undefined,
      supergraphPollMs: env.SUPERGRAPH_POLL_MS,
      queryLimits: {
        depth: env.QUERY_MAX_DEPTH,
        aliases: env.QUERY_MAX_ALIASES,
        directives: env.QUERY_MAX_DIRECTIVES,
        tokens: env.QUERY_MAX_TOKENS,
        bytes: env.QUERY_MAX_BYTES,
        stringLength: env.QUERY_MAX_STRING_LENGTH,
        cost: env.QUERY_MAX_COST,
      },
      introspection: env.INTROSPECTION ?? nodeEnv !== 'production',
      explorer:
        (env.EXPLORER ?? nodeEnv !== 'production')
          ? {
              distDir: resolve(REPO_ROOT, 'clients/explorer/dist'),
              devTokenSecret: nodeEnv === 'production' ? undefined : (env.JWT_SECRET ?? DEV_JWT_SECRET),
            }
          : undefined,
    },
  };
}

/** The gateway's OpenTelemetry settings (OTEL_*; the service name defaults to `gateway`). */
export function loadTelemetryEnv(source: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  return telemetryFrom('gateway', source);
}
