import { resolve } from 'node:path';
import { gatewaySecretFrom, parseEnv, REPO_ROOT, subgraphUrlsFrom, type SubgraphName } from '@ecom/platform/env';
import { parseFieldBudgets } from '@ecom/platform/deadline';
import { z } from 'zod';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './resilience.ts';

/** Documented development default (README, .env.example); refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me';

const shape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  JWT_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  GATEWAY_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  SUPERGRAPH_PATH: z.string().default(resolve(REPO_ROOT, 'schema/supergraph.graphql')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(10_000),
  REDIS_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  /** Overall deadline of a read (the listing promise is 500 ms end to end). */
  QUERY_DEADLINE_MS: z.coerce.number().int().positive().max(60_000).default(DEFAULT_RESILIENCE.queryDeadlineMs),
  MUTATION_DEADLINE_MS: z.coerce.number().int().positive().max(120_000).default(DEFAULT_RESILIENCE.mutationDeadlineMs),
  /** Longest a read waits for one subgraph; per subgraph: SUBGRAPH_TIMEOUTS=pricing=300,inventory=300 */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(DEFAULT_RESILIENCE.subgraphTimeoutMs),
  SUBGRAPH_TIMEOUTS: z.string().optional(),
};

export interface GatewayEnv {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  jwtSecret: string;
  gatewaySecret: string;
  supergraphPath: string;
  subgraphUrls: Record<SubgraphName, string>;
  logLevel: string;
  requestTimeoutMs: number;
  redisUrl?: string;
  resilience: ResilienceSettings;
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
  if (nodeEnv === 'production' && !source.JWT_SECRET) problems.push('  JWT_SECRET: required in production');
  let gatewaySecret = '';
  try {
    gatewaySecret = gatewaySecretFrom({ NODE_ENV: nodeEnv, GATEWAY_SECRET: env?.GATEWAY_SECRET });
  } catch (err) {
    problems.push(...(err as Error).message.split('\n').slice(1));
  }
  const subgraphUrls = subgraphUrlsFrom(source);
  for (const [name, url] of Object.entries(subgraphUrls)) {
    if (!URL.canParse(url)) problems.push(`  SUBGRAPH_URL_${name.toUpperCase()}: not a URL (${url})`);
  }
  if (problems.length > 0 || !env) throw new Error(`Invalid environment:\n${problems.join('\n')}`);
  return {
    nodeEnv,
    port: env.PORT,
    jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
    gatewaySecret,
    supergraphPath: resolve(REPO_ROOT, env.SUPERGRAPH_PATH),
    subgraphUrls,
    logLevel: env.LOG_LEVEL,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    redisUrl: env.REDIS_URL,
    resilience: {
      ...DEFAULT_RESILIENCE,
      queryDeadlineMs: env.QUERY_DEADLINE_MS,
      mutationDeadlineMs: env.MUTATION_DEADLINE_MS,
      subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      perSubgraphTimeoutMs: parseFieldBudgets(env.SUBGRAPH_TIMEOUTS),
    },
  };
}
