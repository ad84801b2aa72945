import type { BrowserContext, Page } from 'playwright-core';
import { type Client, proposalLinkOf } from '../support/app';
import { axeContext, axeViolations, describeViolations, overflowsSideways, PHONE } from '../support/browser';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * The members' case against in a real Chromium, on the member's own page without any
 * script: a proposal qualifies; the proposer has no form for a case against; another member
 * writes one (an empty one first, named on the page), starts it, and a member of the other
 * branch supports it: it qualifies and the proposal's public page shows it. axe-core finds
 * nothing on any of these pages, and each fits 320 px.
 */
let org: Client;
let phone: BrowserContext;
const tokens: string[] = [];
const AGAINST = 'A dues holiday for some is a dues rise for the rest.';

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  // m0 and m2 in North, m1 and m3 in South.
  org = await organisationWithRoll(app(), 4, 'Against Union');
  const rules = await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: null,
    minBranches: 2,
    windowDays: 42,
    scheduleDays: 30,
    k: 1,
  });
  expect(rules.status).toBe(200);
  const members = await app().db.selectFrom('members').select(['id', 'organisation_id']).orderBy('email').execute();
  for (const m of members) tokens.push(await proposalLinkOf(app().db, m));
  phone = await axeContext(browser(), PHONE);
});

async function accessible(page: Page, name: string): Promise<void> {
  expect(await page.locator('script').count()).toBe(0);
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

test('a member writes a case against, starts it, another supports it, and it stands', async () => {
  const page = await phone.newPage();
  await page.goto(`${app().url}/p/${tokens[0]}`);
  await page.getByLabel('Title').fill('A dues holiday');
  await page.getByLabel('Text').fill('Members in hardship pay no dues for a year.');
  await page.getByRole('button', { name: 'Save as a draft' }).click();
  await page.getByRole('button', { name: 'Start gathering support for “A dues holiday”' }).click();
  // The proposer writes the case for, and has no form for the case against.
  expect(await page.getByLabel('The case for “A dues holiday”').count()).toBe(1);
  expect(await page.getByLabel('The case against', { exact: true }).count()).toBe(0);
  await page.goto(`${app().url}/p/${tokens[1]}`);
  await page.getByRole('button', { name: 'Support “A dues holiday”' }).click();

  // Member 2 writes a case against: an empty one is a problem named on the page.
  await page.goto(`${app().url}/p/${tokens[2]}`);
  await accessible(page, 'member page with the case against form');
  await page.getByLabel('The case against', { exact: true }).fill(' ');
  await page.getByRole('button', { name: 'Save the case against as a draft' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('The case against');
  await accessible(page, 'case against form with a problem');
  await page.getByLabel('The case against', { exact: true }).fill(AGAINST);
  await page.getByRole('button', { name: 'Save the case against as a draft' }).click();
  expect(await page.getByRole('status').innerText()).toContain('Your case against is saved as a draft');
  await page.getByRole('button', { name: 'Start gathering support for “The case against”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You are its first supporter');
  await accessible(page, 'member page with a case against gathering support');

  // Member 3 (South) supports it: two branches, it qualifies and stands; no form for another.
  await page.goto(`${app().url}/p/${tokens[3]}`);
  await page.getByRole('button', { name: 'Support “The case against”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You support this proposal');
  expect(await page.getByLabel('The case against', { exact: true }).count()).toBe(0);
  const [proposal] = (await org.json('GET', '/api/v1/proposals')).body.filter(
    (p: { kind: string }) => p.kind === 'motion',
  ) as Array<{ id: string }>;
  await page.goto(`${app().url}/proposals/${proposal!.id}`);
  expect(await page.getByRole('heading', { name: 'The members’ case against' }).count()).toBe(1);
  expect(await page.locator('main').innerText()).toContain(AGAINST);
  await accessible(page, 'public page with the members’ case against');
  await page.close();
});
