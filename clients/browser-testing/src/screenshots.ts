import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Phone and desktop widths every page is captured at. */
export const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } } as const;

/**
 * Saves a full-page screenshot as a test artifact under `<dir>` (git-ignored: `screenshots/`),
 * named `<page>-<width>.png`.
 */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${page.viewportSize()?.width ?? 'auto'}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
