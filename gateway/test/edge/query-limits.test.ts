import { apiSchemaOf, readPublishedSupergraph } from '@ecom/schema/compose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { queryTextRefusal } from '../../src/edge/query-limit-refusal.ts';
import { checkQueryLimits, DEFAULT_QUERY_LIMITS, queryLimitRules } from '../../src/plugins/query-limits.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { contractOperations, operation } from '../support/operations.ts';
import { codeOf, extraGateway, post, type EdgeResponse, type ExtraGateway } from './support.ts';

const CATEGORIES = operation('web/Categories');
const LISTING = operation('web/CategoryListing');

/** CategoryListing's selection on one products field, for aliasing. */
const LISTING_FIELDS = `totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id title slug imageUrl shop { id name }
    priceRange { min { amount currency } max { amount currency } }
    availability { status available } badges { kind label } } }`;

/** `levels` nested fields: product → variants → product → … → id. */
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let level = levels - 1; level >= 2; level--) inner = `${level % 2 === 0 ? 'variants' : 'product'} { ${inner} }`;
  return `{ product(id: "prod-001") { ${inner} } }`;
}

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(async () => {
  await graph?.stop();
});

const send = (body: unknown, headers: Record<string, string> = {}) => post(graph.url, body, headers);

function expectTooComplex(res: EdgeResponse, limit: string, status = 400) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.data ?? undefined).toBeUndefined();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit, retryable: false });
  expect(res.body.errors![0]!.message).not.toMatch(/Syntax Error|armor/i);
}

describe('every registered client operation', () => {
  const schema = apiSchemaOf(readPublishedSupergraph());
  const rules = queryLimitRules(DEFAULT_QUERY_LIMITS);
  it.each(contractOperations().map((op) => [op.name, op] as const))('%s passes every limit at the largest page size', (_name, op) => {
    expect(queryTextRefusal(op.text, DEFAULT_QUERY_LIMITS)).toBeUndefined();
    expect(checkQueryLimits(schema, op.document, { first: 100 }, rules)?.message).toBeUndefined();
  });
});

describe('query limits', () => {
  it('refuses a query 20 levels deep; 12 levels still run', async () => {
    expectTooComplex(await send({ query: deepQuery(20) }), 'depth');
    const twelve = await send({ query: deepQuery(12) });
    expect(twelve.body.errors, twelve.text).toBeUndefined();
    expect((twelve.body.data as { product: { variants: unknown[] } }).product.variants.length).toBeGreaterThan(0);
    expect(JSON.stringify(twelve.body.data)).toContain('"id":"prod-001"');
  });

  it('refuses 100 aliases', async () => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `c${i}: categories { id }`).join(' ')} }`;
    const res = await send({ query });
    expectTooComplex(res, 'aliases');
    expect(res.body.errors![0]!.extensions).toMatchObject({ max: 30, found: 100 });
  });

  it('refuses more directives than allowed', async () => {
    const query = `{ categories { ${Array.from({ length: 11 }, () => 'id @include(if: true)').join(' ')} } }`;
    expectTooComplex(await send({ query }), 'directives');
  });

  it('refuses a 10 000-token query before parsing it', async () => {
    expectTooComplex(await send({ query: `{ categories { ${'id '.repeat(10_000)}} }` }), 'tokens');
  });

  it('refuses query text over 64 KB before lexing it, even when most of it is a comment (no tokens)', async () => {
    const padded = `{ categories { id } }\n#${'x'.repeat(DEFAULT_QUERY_LIMITS.bytes)}`;
    const res = await send({ query: padded });
    expectTooComplex(res, 'bytes');
    expect(res.body.errors![0]!.extensions).toMatchObject({ max: DEFAULT_QUERY_LIMITS.bytes });
  });

  it('refuses a string literal over 8 K characters, however few tokens; as a variable it meets the field validation', async () => {
    const long = 'a'.repeat(DEFAULT_QUERY_LIMITS.stringLength + 1);
    expectTooComplex(await send({ query: `{ products(first: 1, filter: { search: "${long}" }) { totalCount } }` }), 'stringLength');
    expectTooComplex(await send({ query: `{ products(first: 1, filter: { search: """${long}""" }) { totalCount } }` }), 'stringLength');
    const asVariable = await send({
      query: 'query ($s: String) { products(first: 1, filter: { search: $s }) { totalCount } }',
      variables: { s: long },
    });
    expect(asVariable.body.errors?.[0]?.extensions, asVariable.text).toMatchObject({ code: 'INVALID_INPUT', field: 'filter.search' });
  });

  it('costs pages by their size: one 100-product listing runs, 20 aliased listings do not', async () => {
    const one = await send({ query: LISTING, variables: { first: 100 } });
    expect(one.body.errors, one.text).toBeUndefined();
    expect((one.body.data as { products: { edges: unknown[] } }).products.edges).toHaveLength(100);

    const twenty = `{ ${Array.from({ length: 20 }, (_, i) => `l${i}: products(first: 100) { ${LISTING_FIELDS} }`).join('\n')} }`;
    expectTooComplex(await send({ query: twenty }), 'cost');
    // Page sizes sent as variables are costed the same way.
    const viaVariables = `query ($n: Int!) { ${Array.from({ length: 20 }, (_, i) => `l${i}: products(first: $n) { ${LISTING_FIELDS} }`).join('\n')} }`;
    expectTooComplex(await send({ query: viaVariables, variables: { n: 100 } }), 'cost');
  });

  it('leaves a page size over 100 to the subgraph, which answers INVALID_INPUT as the contract says', async () => {
    const res = await send({ query: LISTING, variables: { first: 5000 } });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses a 2 MB body with 413, whether its length is declared or streamed', async () => {
    const big = JSON.stringify({ query: CATEGORIES, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    expectTooComplex(await send(big), 'size', 413);

    const chunks = [big.slice(0, 1024 * 1024), big.slice(1024 * 1024)];
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await fetch(graph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamed, duplex: 'half' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: { limit: string } }[] }).errors[0]!.extensions.limit).toBe('size');
  });

  it('refuses a batched (array) body with 400 INVALID_INPUT', async () => {
    const res = await send([{ query: CATEGORIES }, { query: CATEGORIES }]);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
  });

  it('keeps serving another client while one floods it with refused requests, and after', async () => {
    const abusive = [
      () => send({ query: deepQuery(20) }),
      () => send({ query: `{ ${Array.from({ length: 100 }, (_, i) => `c${i}: categories { id }`).join(' ')} }` }),
      () => send({ query: `{ categories { ${'id '.repeat(10_000)}} }` }),
      () => send(JSON.stringify({ query: CATEGORIES, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } })),
      () => send([{ query: CATEGORIES }]),
    ];
    const flood = Promise.all(Array.from({ length: 40 }, (_, i) => abusive[i % abusive.length]!()));
    const during = await Promise.all(Array.from({ length: 5 }, () => send({ query: CATEGORIES }, { 'apollographql-client-name': 'web' })));
    const refused = await flood;
    const after = await send({ query: CATEGORIES }, { 'apollographql-client-name': 'web' });

    expect(refused.every((r) => r.status >= 400 && ['QUERY_TOO_COMPLEX', 'INVALID_INPUT'].includes(codeOf(r) as string))).toBe(true);
    for (const res of [...during, after]) {
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect((res.body.data as { categories: unknown[] }).categories.length).toBeGreaterThanOrEqual(6);
    }
  });
});

describe('automatic persisted queries', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const withHash = (query: string) => ({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
  const byHash = (query: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });

  it('registers a query only once it has passed every limit', async () => {
    const nonce = Date.now();
    const overLimits = [
      {
        limit: 'stringLength',
        query: `{ products(first: 1, filter: { search: "${nonce}${'a'.repeat(DEFAULT_QUERY_LIMITS.stringLength)}" }) { totalCount } }`,
      },
      { limit: 'bytes', query: `{ categories { id } }\n# ${nonce} ${'x'.repeat(DEFAULT_QUERY_LIMITS.bytes)}` },
      {
        limit: 'cost',
        query: `{ ${Array.from({ length: 20 }, (_, i) => `l${i}_${nonce}: products(first: 100) { ${LISTING_FIELDS} }`).join('\n')} }`,
      },
      { limit: 'depth', query: deepQuery(20).replace('{ product', `{ p${nonce}: product`) },
    ];
    for (const { limit, query } of overLimits) {
      expectTooComplex(await send(withHash(query)), limit);
      const replay = await send(byHash(query));
      expect(codeOf(replay), `${limit}: ${replay.text}`).toBe('PERSISTED_QUERY_NOT_FOUND');
    }

    const fine = `{ categories { id } } # ${nonce}`;
    expect((await send(withHash(fine))).body.errors).toBeUndefined();
    const replay = await send(byHash(fine));
    expect(replay.body.errors, replay.text).toBeUndefined();
    expect((replay.body.data as { categories: unknown[] }).categories.length).toBeGreaterThan(0);
  });
});

describe('schema privacy', () => {
  it('validation errors suggest no field names', async () => {
    const res = await send({ query: '{ categories { nam } }' });
    expect(codeOf(res)).toBe('INVALID_INPUT');
    expect(res.body.errors![0]!.message).toContain('Cannot query field "nam"');
    expect(res.text).not.toMatch(/Did you mean/);
    expect(res.text).not.toContain('"name"');
  });

  it('variable errors suggest no enum values', async () => {
    const res = await send({ query: LISTING, variables: { first: 3, sort: 'TITEL' } });
    expect(codeOf(res)).toBe('INVALID_INPUT');
    expect(res.body.errors![0]!.message).toContain('TITEL');
    expect(res.text).not.toMatch(/Did you mean/);
    expect(res.text).not.toContain('"TITLE"');
  });

  describe('introspection', () => {
    const INTROSPECT = '{ __schema { queryType { name } } }';
    let production: ExtraGateway;
    beforeAll(async () => {
      production = await extraGateway(graph, { introspection: false });
    });
    afterAll(async () => {
      await production?.stop();
    });

    it('is off when the gateway is built for production, and the graph still answers', async () => {
      const refused = await post(production.url, { query: INTROSPECT });
      expect(codeOf(refused)).toBe('INVALID_INPUT');
      expect(refused.body.data ?? undefined).toBeUndefined();
      const typeProbe = await post(production.url, { query: '{ __type(name: "Product") { fields { name } } }' });
      expect(codeOf(typeProbe)).toBe('INVALID_INPUT');
      const normal = await post(production.url, { query: CATEGORIES });
      expect(normal.body.errors).toBeUndefined();
    });

    it('is on by default (development)', async () => {
      const res = await send({ query: INTROSPECT });
      expect(res.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });
  });
});
