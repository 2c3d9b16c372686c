import { fileURLToPath } from 'node:url';
import { launchChromium } from '@ecom/browser-testing/chromium';
import { limitToLocalhost, type RequestLog } from '@ecom/browser-testing/request-log';
import { screenshot, WIDTHS } from '@ecom/browser-testing/screenshots';
import { startGraph, type Graph } from '@ecom/gateway/testing/graph';
import { noFaults, type FaultInjection } from '@ecom/platform/fault-injection';
import { loadSafelist } from '@ecom/gateway/safelist';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../../../schema/operations/manifest.json', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

const JWT_SECRET = 'explorer-test-jwt-secret-0123456789';
const pricingFaults: FaultInjection = noFaults();
let graph: Graph;
let browser: Browser;
let context: BrowserContext;
let requests: RequestLog;
let page: Page;

beforeAll(async () => {
  // Safelist mode, as production runs: the explorer must still load its schema and run registered operations.
  graph = await startGraph({
    config: { pricing: { faults: pricingFaults } },
    gateway: {
      jwtSecret: JWT_SECRET,
      safelist: loadSafelist(MANIFEST),
      explorer: { distDir: DIST, devTokenSecret: JWT_SECRET },
      resilience: { queryDeadlineMs: 5_000, mutationDeadlineMs: 60_000, subgraphTimeoutMs: 1_000 },
    },
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: WIDTHS.desktop });
  requests = await limitToLocalhost(context);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await graph?.stop();
});

async function runActiveTab(): Promise<string> {
  const before = await page
    .getByTestId('request-id')
    .textContent()
    .catch(() => null);
  await page.locator('.graphiql-execute-button').click();
  await expect
    .poll(
      () =>
        page
          .getByTestId('request-id')
          .textContent()
          .catch(() => null),
      { timeout: 30_000 },
    )
    .not.toBe(before);
  return (await page.getByTestId('request-id').textContent())!;
}

describe('the explorer at GET /graphql', () => {
  it('loads from the gateway alone, opens with the registered operations, runs CategoryListing and shows data', async () => {
    const response = await page.goto(graph.url);
    expect(response!.status()).toBe(200);
    await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
    // Safelist mode refuses introspection: the schema bundled at build time stands in.
    await expect.poll(() => page.locator('.answer-schema').textContent()).toContain('bundled at build');
    const tabs = await page.locator('.graphiql-tab').allTextContents();
    expect(tabs[0]).toContain('CategoryListing');
    expect(tabs.join(' ')).toContain('PlaceOrder');

    const requestId = await runActiveTab();
    expect(requestId).toMatch(/\S{8,}/);
    await expect.poll(() => page.locator('.graphiql-response').innerText(), { timeout: 15_000 }).toContain('totalCount');
    expect(await page.getByTestId('answer-outcome').textContent()).toBe('complete');
    expect(await page.locator('.answer-bar').textContent()).toContain('registered');
    await screenshot(page, SCREENSHOTS, 'explorer');
    expect(requests.offHost()).toEqual([]);
    expect(requests.urls.some((u) => u.includes('/explorer/assets/'))).toBe(true);
  });

  it('shows the partial-success errors of an answer, with code, service and path', async () => {
    Object.assign(pricingFaults, { mode: 'delay', delayMs: 3_000 });
    try {
      await runActiveTab();
      const outcome = await page.getByTestId('answer-outcome').textContent();
      expect(outcome).toMatch(/^partial: 1 error/);
      const listed = await page.locator('.answer-errors').textContent();
      expect(listed).toMatch(/(TIMEOUT|SERVICE_UNAVAILABLE) from pricing at products\.edges\.0\.node\.priceRange/);
      // The response pane draws only what is on screen, and the errors come first.
      expect(await page.locator('.graphiql-response').innerText()).toContain('priceRange');
    } finally {
      Object.assign(pricingFaults, noFaults());
    }
  });

  it('mints a development token into the headers editor, and a signed-in operation runs with it', async () => {
    // The headers editor lives under the query editor, beside the variables.
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await page.locator('button[aria-label="Show Development token"]').click();
    await page.locator('.dev-token input[name="sub"]').fill('explorer-user');
    await page.locator('.dev-token button[type="submit"]').click();
    await expect.poll(() => page.locator('.dev-token [role="status"]').textContent()).toContain('Authorization set for explorer-user');

    await page.locator('.graphiql-tab', { hasText: 'MyOrders' }).click();
    await runActiveTab();
    const body = await page.locator('.graphiql-response').innerText();
    expect(body).toContain('myOrders');
    expect(body).not.toContain('UNAUTHENTICATED');
    expect(requests.offHost()).toEqual([]);
  });
});
