import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`, done by .ci/run), found the way a person would
 * (`which chromium`): Playwright's own browser download is neither wanted nor reachable here.
 */
export function chromiumExecutable(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('No chromium on PATH: install it (as root: apt-get update && apt-get install -y chromium), as .ci/run does.');
  }
}

/** Headless, with Chromium's own background traffic (updates, sync, QUIC probes) turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
