import fs from 'node:fs';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { scaled } from './machine';

/**
 * A real Chromium for the browser tests: Debian's package at /usr/bin/chromium, driven by
 * playwright-core (which never downloads a browser). When it is missing the tests FAIL
 * with a message saying how to install it; they are never skipped.
 */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (.ci/run does this when it runs as root).',
    );
  }
  // launch() gives every run a fresh temporary user-data folder of its own, removed on close;
  // each test's contexts are then as fresh as a new private window.
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: scaled(60_000) });
}

/** A phone: 320 CSS pixels wide (WCAG 1.4.10 reflow), touch, as small as phones come. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 320, height: 640 },
  hasTouch: true,
  isMobile: true,
  deviceScaleFactor: 1,
};
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };

/**
 * A browser context (a fresh private window) whose waits for pages and elements allow
 * Playwright's 30 s on a quiet machine, scaled to this one. Every test makes its contexts here.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = PHONE): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(scaled(30_000));
  return context;
}

/** Folder for screenshots (git-ignored). */
export const SCREENSHOTS = path.resolve(__dirname, '../../test-output/screenshots');
/** The README's pictures (committed): a test that takes one says so, and running it renews it. */
export const README_SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');

function saved(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}
function keep(file: string, readme: boolean): string {
  if (readme) fs.copyFileSync(file, path.join(README_SCREENSHOTS, path.basename(file)));
  return file;
}

/** A screenshot of a whole page; `readme`: also the README's picture of that name. */
export async function screenshot(page: Page, name: string, readme = false): Promise<string> {
  const file = saved(name);
  await page.screenshot({ path: file, fullPage: true });
  return keep(file, readme);
}

/** A screenshot of one part of a page; `readme`: also the README's picture of that name. */
export async function screenshotOf(part: Locator, name: string, readme = false): Promise<string> {
  const file = saved(name);
  await part.screenshot({ path: file });
  return keep(file, readme);
}

/** Whether the page scrolls sideways (it must not, at 320 px: WCAG 1.4.10). */
export async function overflowsSideways(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
};

const AXE = require.resolve('axe-core/axe.min.js');
/** WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices on top. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/**
 * Runs axe-core in the page. The page's CSP forbids injected scripts, so the context that
 * runs axe must be made with { bypassCSP: true } (axeContext); nothing else uses it.
 */
export async function axeViolations(page: Page, opts: { allowLandmarkless?: boolean } = {}): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  const rules = opts.allowLandmarkless ? '{ region: { enabled: false } }' : '{}';
  const result = await page.evaluate<{ violations: AxeViolation[] }>(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, rules: ${rules}, resultTypes: ['violations'] })`,
  );
  return result.violations;
}

/** A readable account of axe's findings, for a failing expectation's message. */
export function describeViolations(where: string, v: AxeViolation[]): string {
  return v
    .map(
      (x) =>
        `${where}: ${x.id} (${x.impact ?? '?'}): ${x.help}\n${x.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    )
    .join('\n');
}

export function axeContext(browser: Browser, options: BrowserContextOptions = PHONE): Promise<BrowserContext> {
  return newContext(browser, { ...options, bypassCSP: true });
}
