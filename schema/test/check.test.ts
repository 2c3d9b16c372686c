import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check.ts';
import { workingSubgraphs } from '../src/compose.ts';
import { editedSubgraphs, fixtureInput } from './fixtures.ts';

const check = (edits: Parameters<typeof editedSubgraphs>[0]) => runCheck(fixtureInput(editedSubgraphs(edits)));

describe('schema check against fixture changes', () => {
  it('passes the working SDLs against themselves with no changes', async () => {
    const report = await runCheck(fixtureInput({ ...workingSubgraphs }));
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.changes).toEqual([]);
    expect(Object.values(report.subgraphs).every((s) => s.status === 'unchanged')).toBe(true);
  });

  it('fails removing Product.imageUrl and names the operations it breaks, MobileListing included', async () => {
    const report = await check([{ subgraph: 'product', from: /\n  imageUrl: String!/, to: '' }]);
    expect(report.ok).toBe(false);
    const removal = report.subgraphs['product']!.changes.breaking.find((c) => c.path === 'Product.imageUrl');
    expect(removal).toMatchObject({ type: 'FIELD_REMOVED', verdict: 'fail', subgraphs: ['product'] });
    expect(removal!.operations).toEqual(
      expect.arrayContaining(['ios/MobileListing', 'android/MobileListing', 'web/CategoryListing', 'web/ProductDetail']),
    );
    expect(report.failures.some((f) => f.includes('Product.imageUrl') || (f.includes('imageUrl') && f.includes('ios/MobileListing')))).toBe(true);
    expect(report.operations.invalid.map((o) => o.operation)).toContain('ios/MobileListing');
  });

  it('fails removing PriceRange.min in pricing and names MobileListing', async () => {
    const report = await check([{ subgraph: 'pricing', from: /\n  min: Money!/, to: '' }]);
    expect(report.ok).toBe(false);
    const removal = report.subgraphs['pricing']!.changes.breaking.find((c) => c.path === 'PriceRange.min');
    expect(removal?.verdict).toBe('fail');
    expect(removal?.operations).toEqual(expect.arrayContaining(['ios/MobileListing', 'android/MobileListing', 'web/CategoryListing']));
    expect(report.subgraphs['product']!.changes.breaking).toEqual([]);
  });

  it('passes removing a field no registered operation uses, with a warning', async () => {
    const report = await check([{ subgraph: 'product', from: /\n  createdAt: String!/, to: '' }]);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    const removal = report.subgraphs['product']!.changes.breaking.find((c) => c.path === 'Product.createdAt');
    expect(removal).toMatchObject({ verdict: 'warn', operations: [] });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain("'createdAt'");
  });

  it('passes adding a nullable field, reported as safe for its subgraph', async () => {
    const report = await check([{ subgraph: 'product', from: '  imageUrl: String!\n', to: '  imageUrl: String!\n  weightGrams: Int\n' }]);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([]);
    expect(report.subgraphs['product']!.status).toBe('changed');
    expect(report.subgraphs['product']!.changes.safe.map((c) => c.path)).toContain('Product.weightGrams');
  });

  it('fails the lint for a client-facing mutation whose input has no idempotencyKey', async () => {
    const report = await check([
      {
        subgraph: 'inventory',
        from: 'type Mutation {\n',
        to: 'type Mutation {\n  setReorderPoint(input: SetReorderPointInput!): AdjustStockResult!\n',
      },
      {
        subgraph: 'inventory',
        from: 'input AdjustStockInput {',
        to: 'input SetReorderPointInput {\n  variantId: ID!\n  units: Int!\n}\n\ninput AdjustStockInput {',
      },
    ]);
    expect(report.ok).toBe(false);
    const finding = report.subgraphs['inventory']!.lint.find((f) => f.coordinate === 'Mutation.setReorderPoint');
    expect(finding).toMatchObject({ rule: 'mutation-input', subgraphs: ['inventory'] });
    expect(finding!.message).toContain('idempotencyKey: String!');
    // The addition itself is safe: only the lint fails it.
    expect(report.changes.filter((c) => c.verdict === 'fail')).toEqual([]);
  });

  it('exempts @inaccessible mutations from the idempotencyKey lint', async () => {
    const report = await check([
      {
        subgraph: 'inventory',
        from: 'type Mutation {\n',
        to: 'type Mutation {\n  recountStock(input: OrderStockInput!): StockOperation! @inaccessible\n',
      },
    ]);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('fails the lint for a mutation result union with a second non-error member', async () => {
    const report = await check([
      { subgraph: 'cart', from: 'union AddToCartResult =\n    Cart\n', to: 'union AddToCartResult =\n    Cart\n  | CartLine\n' },
    ]);
    expect(report.ok).toBe(false);
    expect(report.subgraphs['cart']!.lint).toEqual([expect.objectContaining({ rule: 'mutation-result', coordinate: 'Mutation.addToCart' })]);
  });

  it('fails a composition conflict on a shared type and names both subgraphs', async () => {
    const report = await check([
      { subgraph: 'order', from: /type PageInfo @shareable \{\n  hasNextPage: Boolean!/, to: 'type PageInfo @shareable {\n  hasNextPage: String!' },
    ]);
    expect(report.ok).toBe(false);
    const [error] = report.subgraphs['order']!.composition;
    expect(error?.code).toBe('FIELD_TYPE_MISMATCH');
    expect(error?.subgraphs).toEqual(expect.arrayContaining(['order', 'product']));
    expect(error?.locations.map((l) => l.subgraph)).toEqual(expect.arrayContaining(['order', 'product']));
    expect(report.subgraphs['product']!.composition).toContain(error);
    expect(report.failures[0]).toMatch(/composition \(.*order.*product.*\)/);
  });

  it('fails removing an ErrorCode value from every subgraph', async () => {
    const withErrors = Object.keys(workingSubgraphs).filter((s) =>
      workingSubgraphs[s as keyof typeof workingSubgraphs].includes('  COUPON_INVALID\n'),
    );
    expect(withErrors.length).toBeGreaterThan(0);
    const report = await check(withErrors.map((subgraph) => ({ subgraph, from: '  COUPON_INVALID\n', to: '' })));
    expect(report.ok).toBe(false);
    const lint = report.failures.filter((f) => f.includes('enum-values-only-grow'));
    expect(lint).toHaveLength(1);
    expect(lint[0]).toContain('ErrorCode.COUPON_INVALID');
    expect(report.subgraphs[withErrors[0]!]!.lint.map((f) => f.coordinate)).toContain('ErrorCode.COUPON_INVALID');
  });

  it('fails removing an internal enum value no client sees', async () => {
    const report = await check([{ subgraph: 'marketing', from: /\n  APPLIED\n/, to: '\n' }]);
    expect(report.ok).toBe(false);
    expect(report.changes).toEqual([]);
    expect(report.subgraphs['marketing']!.lint).toEqual([
      expect.objectContaining({ rule: 'enum-values-only-grow', coordinate: 'CouponVerdict.APPLIED', subgraphs: ['marketing'] }),
    ]);
  });

  it("fails a non-null field added to another subgraph's entity", async () => {
    const report = await check([{ subgraph: 'pricing', from: '  priceRange: PriceRange\n', to: '  priceRange: PriceRange\n  taxRate: Int!\n' }]);
    expect(report.ok).toBe(false);
    expect(report.subgraphs['pricing']!.lint).toEqual([
      expect.objectContaining({ rule: 'entity-field-nullable', coordinate: 'Product.taxRate', subgraphs: ['pricing'] }),
    ]);
  });

  it('fails an entity with no declared owner', async () => {
    const report = await check([{ subgraph: 'marketing', from: 'type Badge {', to: 'type Badge @key(fields: "label") {' }]);
    expect(report.ok).toBe(false);
    expect(report.subgraphs['marketing']!.lint.map((f) => `${f.rule} ${f.coordinate}`)).toContain('entity-owner Badge');
  });
  it('fails a change to an @inaccessible field a sibling call uses, naming the call', async () => {
    const field = `  "The coupon the cost was discounted with; null without one or when marketing refuses the cart's code."\n  couponCode: String @inaccessible\n`;
    const report = await check([{ subgraph: 'cart', from: field, to: '' }]);
    expect(report.ok).toBe(false);
    // Invisible to the client API: no API change names it; the internal operation does.
    expect(report.changes.filter((c) => c.verdict === 'fail')).toEqual([]);
    expect(report.operations.invalid.map((o) => o.operation)).toEqual(['internal/order/cart/OrderCheckoutQuote']);
    expect(report.failures.some((f) => f.includes('internal/order/cart/OrderCheckoutQuote') && f.includes('couponCode'))).toBe(true);
  });

  it('passes the registered sibling calls against the working SDLs', async () => {
    const report = await runCheck(fixtureInput({ ...workingSubgraphs }));
    expect(report.operations.internal).toBeGreaterThanOrEqual(10);
    expect(report.operations.invalid).toEqual([]);
  });
});
