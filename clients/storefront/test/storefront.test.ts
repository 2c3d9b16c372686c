import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@ecom/browser-testing/chromium';
import { limitToLocalhost, type RequestLog } from '@ecom/browser-testing/request-log';
import { screenshot, WIDTHS } from '@ecom/browser-testing/screenshots';
import { loadSafelist } from '@ecom/gateway/safelist';
import { startGraph, type Graph } from '@ecom/gateway/testing/graph';
import { noFaults, type FaultInjection } from '@ecom/platform/fault-injection';
import manifest from '@ecom/schema/manifest';
import * as typed from '@ecom/schema/generated/operations';
import { Kind, parse, print, type DefinitionNode, type DocumentNode } from 'graphql';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorefrontServer, type RunningStorefront } from '../server/storefront-server.ts';

const MANIFEST = fileURLToPath(new URL('../../../schema/operations/manifest.json', import.meta.url));
const EXPLORER_DIST = fileURLToPath(new URL('../../explorer/dist/', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
const JWT_SECRET = 'storefront-test-jwt-secret-0123456789';
const WEB = new Map(manifest.operations.filter((op) => op.clientName === 'web').map((op) => [op.name, op]));
const bodyOf = (name: string) => WEB.get(name)!.body;

const pricingFaults: FaultInjection = noFaults();
let graph: Graph;
let storefront: RunningStorefront;
let browser: Browser;
let context: BrowserContext;
let requests: RequestLog;
let page: Page;
/** Every GraphQL request body the storefront sent, across all tests. */
const sent: { operationName?: string; query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } }[] = [];

beforeAll(async () => {
  // Safelist mode (SAFELIST=true): whatever the storefront sends must be a registered operation.
  graph = await startGraph({
    config: { pricing: { faults: pricingFaults } },
    gateway: {
      jwtSecret: JWT_SECRET,
      safelist: loadSafelist(MANIFEST),
      explorer: { distDir: EXPLORER_DIST, devTokenSecret: JWT_SECRET },
      resilience: { queryDeadlineMs: 8_000, mutationDeadlineMs: 60_000, subgraphTimeoutMs: 1_500 },
    },
  });
  storefront = await startStorefrontServer({ port: 0, host: '127.0.0.1', gatewayOrigin: new URL(graph.url).origin });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: WIDTHS.desktop });
  requests = await limitToLocalhost(context);
  context.on('request', (request) => {
    if (new URL(request.url()).pathname === '/graphql' && request.method() === 'POST') sent.push(request.postDataJSON() as (typeof sent)[number]);
  });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await storefront?.close();
  await graph?.stop();
});

const cards = () => page.getByTestId('product-card');
const resultCount = () => page.getByTestId('result-count').textContent();

async function graphQuery<T>(name: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await graph.request<T>(bodyOf(name), variables, { token });
  expect(res.body.errors ?? []).toEqual([]);
  return res.body.data!;
}

describe('the storefront in Chromium, on the whole graph in safelist mode', () => {
  it('with pricing stalled, every card renders with "price unavailable"; after recovery, prices return on retry', async () => {
    Object.assign(pricingFaults, { mode: 'delay', delayMs: 20_000 });
    try {
      await page.goto(storefront.url);
      await expect.poll(() => cards().count(), { timeout: 60_000 }).toBe(48);
      expect(await page.getByTestId('price-unavailable').count()).toBe(48);
      expect(await page.getByTestId('price').count()).toBe(0);
      // The rest of each card is there: title, shop, stock.
      expect(await cards().first().locator('.card-title').textContent()).toBeTruthy();
      expect(await page.getByTestId('notice').textContent()).toContain('Prices are unavailable right now');
    } finally {
      Object.assign(pricingFaults, noFaults());
    }
    await expect
      .poll(
        async () => {
          const retry = page.getByTestId('price-unavailable').first().getByRole('button', { name: 'retry' });
          if (await retry.count()) await retry.click();
          await page.waitForTimeout(500);
          return page.getByTestId('price').count();
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(48);
    expect(await page.getByTestId('price-unavailable').count()).toBe(0);
  });

  it('lists 48 products, pages forward and back, and filters by category', async () => {
    await page.goto(storefront.url);
    await expect.poll(() => cards().count(), { timeout: 30_000 }).toBe(48);
    expect(await resultCount()).toContain('200 products · page 1');
    const firstPage = await cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-product-id')));
    await screenshot(page, SCREENSHOTS, 'listing');

    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(resultCount).toContain('page 2');
    await expect.poll(() => cards().first().getAttribute('data-product-id')).not.toBe(firstPage[0]);
    const secondPage = await cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-product-id')));
    expect(secondPage).toHaveLength(48);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);

    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(resultCount).toContain('page 1');
    await expect.poll(() => cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-product-id')))).toEqual(firstPage);

    const { categories } = await graphQuery<{ categories: { id: string; name: string }[] }>('Categories', {});
    const category = categories[0]!;
    const { products } = await graphQuery<{ products: { totalCount: number } }>('CategoryListing', { filter: { categoryId: category.id }, first: 1 });
    await page.locator('select[name="category"]').selectOption(category.id);
    await expect.poll(resultCount).toContain(`${products.totalCount} products · page 1`);
    expect(await cards().count()).toBe(Math.min(48, products.totalCount));
  });

  it('two quick adds, then a double-clicked checkout: one order, one reservation; a declined card, then a payment that succeeds', async () => {
    const user = `shopper-${Date.now()}`;
    const token = await graph.token(user);
    // A product with a variant comfortably in stock, and how many of it are available before.
    const { products } = await graphQuery<{ products: { edges: { node: { id: string } }[] } }>('CategoryListing', { first: 48 });
    let target: { productId: string; variantId: string; available: number } | undefined;
    for (const { node } of products.edges) {
      const { product } = await graphQuery<{ product: { variants: { id: string; stock: { status: string; available: number } }[] } }>(
        'ProductDetail',
        { id: node.id },
      );
      const variant = product.variants.find((v) => v.stock.status === 'IN_STOCK' && v.stock.available >= 10);
      if (variant) {
        target = { productId: node.id, variantId: variant.id, available: variant.stock.available };
        break;
      }
    }
    expect(target).toBeDefined();

    await page.locator('input[name="user"]').fill(user);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe(user);

    await page.goto(`${storefront.url}#/product/${target!.productId}`);
    await page.locator(`input[name="variant"][value="${target!.variantId}"]`).check();
    await screenshot(page, SCREENSHOTS, 'product');
    const add = page.getByRole('button', { name: 'Add to cart' });
    await add.click();
    await add.click();
    await expect.poll(() => page.getByTestId('cart-link').textContent(), { timeout: 30_000 }).toBe('Cart (2)');

    await page.getByTestId('cart-link').click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    expect(await page.getByTestId('quantity').textContent()).toBe('2');
    expect(await page.getByTestId('shop-group').count()).toBe(1);
    await screenshot(page, SCREENSHOTS, 'cart');

    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByTestId('place-order').waitFor();
    await screenshot(page, SCREENSHOTS, 'checkout');
    const placeOrdersBefore = sent.filter((b) => b.operationName === 'PlaceOrder').length;
    await page.getByTestId('place-order').dblclick();
    await expect.poll(() => page.getByTestId('order-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('PENDING_PAYMENT');

    // One order, reserving exactly the two units, whatever the double click sent.
    const placed = sent.filter((b) => b.operationName === 'PlaceOrder').slice(placeOrdersBefore) as {
      variables?: { input?: { idempotencyKey?: string } };
    }[];
    expect(new Set(placed.map((b) => b.variables?.input?.idempotencyKey)).size).toBe(1);
    const { myOrders } = await graphQuery<{
      myOrders: { edges: { node: { id: string; status: string; lines: { variantId: string; quantity: number }[] } }[] };
    }>('MyOrders', { first: 10 }, token);
    expect(myOrders.edges).toHaveLength(1);
    const order = myOrders.edges[0]!.node;
    expect(order.lines).toEqual([expect.objectContaining({ variantId: target!.variantId, quantity: 2 })]);
    const after = await graphQuery<{ product: { variants: { id: string; stock: { available: number } }[] } }>('ProductDetail', {
      id: target!.productId,
    });
    expect(after.product.variants.find((v) => v.id === target!.variantId)!.stock.available).toBe(target!.available - 2);

    await page.getByLabel('Test card that is declined').check();
    await page.getByTestId('pay').click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('Your card was declined');
    expect(await page.getByTestId('order-status').getAttribute('data-status')).toBe('PENDING_PAYMENT');
    await screenshot(page, SCREENSHOTS, 'order-declined');

    await page.getByLabel('Visa ending 4242').check();
    await page.getByTestId('pay').click();
    await expect.poll(() => page.getByTestId('order-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('PAID');
    const paid = await graphQuery<{ order: { status: string } }>('Order', { id: order.id }, token);
    expect(paid.order.status).toBe('PAID');

    await page.goto(`${storefront.url}#/orders`);
    await expect.poll(() => page.getByTestId('order-row').count()).toBe(1);
  });

  it('is usable at phone and desktop widths: a screenshot of every page at 390 px and 1280 px', async () => {
    // Each page with what shows it has loaded.
    const pages: Record<string, string> = {
      '#/': '[data-testid="price"]',
      '#/product/prod-001': '.product h1',
      '#/cart': '[data-testid="cart-empty"], [data-testid="cart-line"]',
      '#/checkout': 'main h1',
      '#/orders': '[data-testid="order-row"]',
    };
    for (const size of Object.values(WIDTHS)) {
      await page.setViewportSize(size);
      for (const [hash, ready] of Object.entries(pages)) {
        await page.goto(`${storefront.url}${hash}`);
        await page.locator(ready).first().waitFor({ timeout: 30_000 });
        // Nothing wider than the viewport: no sideways scrolling on a phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
        await screenshot(page, SCREENSHOTS, hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, '') || 'listing');
      }
    }
  });

  it('made no request to any host but localhost', () => {
    expect(requests.urls.length).toBeGreaterThan(0);
    expect(requests.offHost()).toEqual([]);
  });

  it('sent only registered web operations, by their manifest hash with their registered text', () => {
    expect(sent.length).toBeGreaterThan(0);
    for (const body of sent) {
      const registered = WEB.get(body.operationName ?? '');
      expect(registered, `${body.operationName} is a registered web operation`).toBeDefined();
      expect(body.extensions?.persistedQuery?.sha256Hash).toBe(registered!.id);
      expect(body.query).toBe(registered!.body);
      expect(createHash('sha256').update(body.query!).digest('hex')).toBe(registered!.id);
    }
    // Every operation the storefront ran is the generated typed document it was written against.
    const sortDefinitions = (doc: DocumentNode) =>
      doc.definitions
        .map((d: DefinitionNode) => print(d))
        .sort()
        .join('\n');
    for (const name of new Set(sent.map((b) => b.operationName!))) {
      const document = (typed as unknown as Record<string, DocumentNode>)[`${name}Document`]!;
      expect(document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)).toBe(true);
      expect(sortDefinitions(document)).toBe(sortDefinitions(parse(bodyOf(name))));
    }
  });
});
