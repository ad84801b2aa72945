import type { BrowserContext, Page } from 'playwright-core';
import { type Client, proposalLinkOf } from '../support/app';
import { axeContext, axeViolations, describeViolations, overflowsSideways, PHONE } from '../support/browser';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * Tabling an amendment in a real Chromium, on the member's own page without any script: a
 * motion qualifies and its amendment period opens; another member tables an amendment (a
 * problem first, named on the page), starts it, and a third supports it. axe-core finds
 * nothing on any of these pages, and each fits 320 px.
 */
let org: Client;
let phone: BrowserContext;
const tokens: string[] = [];

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await organisationWithRoll(app(), 4, 'Amending Union');
  const rules = await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: null,
    minBranches: 2,
    windowDays: 42,
    scheduleDays: 30,
    k: 1,
    amendmentDays: 14,
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

test('a member tables an amendment to a qualified motion, starts it, and another supports it', async () => {
  const page = await phone.newPage();
  // The motion: drafted and started by member 0, supported by member 1 of the other branch.
  await page.goto(`${app().url}/p/${tokens[0]}`);
  await page.getByLabel('Title').fill('Set the dues');
  await page.getByLabel('Text').fill('Conference sets the dues at 1% of income.');
  await page.getByRole('button', { name: 'Save as a draft' }).click();
  await page.getByRole('button', { name: 'Start gathering support for “Set the dues”' }).click();
  await page.goto(`${app().url}/p/${tokens[1]}`);
  await page.getByRole('button', { name: 'Support “Set the dues”' }).click();
  expect(await page.locator('main').innerText()).toContain('Members may table amendments to this motion until');

  // Member 2 tables an amendment: an empty title is a problem named on the page.
  await page.goto(`${app().url}/p/${tokens[2]}`);
  await accessible(page, 'member page with the amendment form');
  const text = page.getByLabel('The motion’s whole text as amended');
  expect(await text.inputValue()).toBe('Conference sets the dues at 1% of income.');
  await text.fill('Conference sets the dues at 0.5% of income.');
  await page.getByLabel('The amendment’s title').fill(' ');
  await page.getByRole('button', { name: 'Save the amendment as a draft' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('The amendment’s title');
  await accessible(page, 'amendment form with a problem');
  await page.getByLabel('The amendment’s title').fill('Half the rate');
  await page.getByLabel('The motion’s whole text as amended').fill('Conference sets the dues at 0.5% of income.');
  await page.getByRole('button', { name: 'Save the amendment as a draft' }).click();
  expect(await page.getByRole('status').innerText()).toContain('Your amendment is saved as a draft');
  await page.getByRole('button', { name: 'Start gathering support for “Half the rate”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You are its first supporter');
  await accessible(page, 'member page with an amendment gathering support');

  // Member 3 supports it.
  await page.goto(`${app().url}/p/${tokens[3]}`);
  await page.getByRole('button', { name: 'Support “Half the rate”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You support this proposal');
  await page.close();
});
