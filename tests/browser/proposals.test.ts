import type { BrowserContext, Page } from 'playwright-core';
import { type Client, proposalLinkOf } from '../support/app';
import {
  axeContext,
  axeViolations,
  describeViolations,
  DESKTOP,
  overflowsSideways,
  PHONE,
  screenshot,
} from '../support/browser';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * The member's proposal pages in a real Chromium, pages without any script: a member drafts a
 * question and starts it from their own link, another supports it, after which the page offers
 * no second signature; the public page and the "send me my link" form. axe-core finds nothing
 * on any of them, at phone width and at desktop width, and each fits 320 px.
 */
let org: Client;
let phone: BrowserContext;
let desktop: BrowserContext;
const tokens: string[] = [];

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await organisationWithRoll(app(), 4, 'Proposals Union');
  const rules = await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: 50,
    minBranches: 2,
    combine: 'both',
    windowDays: 42,
    scheduleDays: 30,
    k: 1,
  });
  expect(rules.status).toBe(200);
  const members = await app().db.selectFrom('members').select(['id', 'organisation_id']).orderBy('email').execute();
  for (const m of members) tokens.push(await proposalLinkOf(app().db, m));
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

/** The page has no script of its own (it works without JavaScript), axe finds nothing, and it fits 320 px. */
async function accessible(page: Page, name: string): Promise<void> {
  expect(await page.locator('script').count()).toBe(0);
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

test('a member drafts, starts and another supports a proposal, on pages without scripts; every page is accessible', async () => {
  const page = await phone.newPage();
  expect((await page.goto(`${app().url}/p/${tokens[0]}`))?.status()).toBe(200);
  await accessible(page, 'member proposals page');

  // A question with options, drafted: a problem first (one option), named on the page.
  await page.getByLabel('A question with options: each member picks one').check();
  await page.getByLabel('Title').fill('Where should conference meet?');
  await page.getByLabel('Text').fill('Members choose the city of next year’s conference.');
  await page.getByLabel('Options (for a question: one on each line)').fill('Leeds');
  await page.getByRole('button', { name: 'Save as a draft' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('a question needs at least two options');
  await accessible(page, 'member proposals page with a problem');
  await page.getByLabel('Options (for a question: one on each line)').fill('Leeds\nCardiff\nGlasgow');
  await page.getByRole('button', { name: 'Save as a draft' }).click();
  expect(await page.getByRole('status').innerText()).toContain('Your draft is saved');
  await page.getByRole('button', { name: 'Start gathering support for “Where should conference meet?”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You are its first supporter');
  expect(await page.locator('main').innerText()).toContain(
    '1 supporters in 1 branches. It needs 2 supporters and supporters in 2 branches.',
  );
  await accessible(page, 'member proposals page, started');
  await screenshot(page, 'member-proposals');

  // Another member, of the other branch, supports it: it qualifies.
  const other = await desktop.newPage();
  await other.goto(`${app().url}/p/${tokens[1]}`);
  await other.getByRole('button', { name: 'Support “Where should conference meet?”' }).click();
  expect(await other.getByRole('status').innerText()).toContain('You support this proposal');
  expect(await other.locator('main').innerText()).toContain('Qualified: waiting to be put on a ballot');
  expect(await other.getByRole('button', { name: /^Support/ }).count()).toBe(0);
  await accessible(other, 'member proposals page, supported');

  // Its public page: support by branch, no names.
  await other.getByRole('link', { name: 'Its public page' }).click();
  expect(other.url()).toMatch(/\/proposals\/[0-9a-f-]{36}$/);
  const text = await other.locator('main').innerText();
  expect(text).toContain('Supporters by branch');
  expect(text).not.toMatch(/Member \d/);
  await accessible(other, 'public proposal page');

  // The form to ask for one's link.
  expect((await page.goto(`${app().url}/proposals/link`))?.status()).toBe(200);
  await accessible(page, 'proposals link form');
  await page.getByLabel('Your email address').fill('m2@example.org');
  await page.getByRole('button', { name: 'Send me my link' }).click();
  expect(await page.locator('main').innerText()).toContain('your link is on its way');
  await accessible(page, 'proposals link sent');
  await page.close();
  await other.close();
});
