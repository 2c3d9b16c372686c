import { z } from 'zod';

const shape = z.object({
  /** Where the storefront is served. */
  STOREFRONT_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  /** The gateway the storefront forwards /graphql to (its origin; the gateway's PORT defaults to 4000). */
  GATEWAY_URL: z.string().url().default('http://localhost:4000'),
});

export interface StorefrontEnv {
  port: number;
  gatewayOrigin: string;
}

/** The only reader of process.env in the storefront's server; every problem is reported at once. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): StorefrontEnv {
  const parsed = shape.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid environment:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return { port: parsed.data.STOREFRONT_PORT, gatewayOrigin: new URL(parsed.data.GATEWAY_URL).origin };
}
