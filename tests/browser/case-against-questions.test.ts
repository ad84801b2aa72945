import type { BrowserContext, Page } from 'playwright-core';
import { ballotTimes, type Client, proposalLinkOf } from '../support/app';
import { axeContext, axeViolations, describeViolations, overflowsSideways, PHONE } from '../support/browser';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * The members' case against an office question in a real Chromium, on the member's own page
 * without any script: the office puts a question on a draft ballot; a member finds it under
 * "The office's questions on coming ballots", writes a case against it (an empty one first,
 * named on the page), starts it, and a member of the other branch supports it: it qualifies,
 * the question shows "The members' case against" with no form for another, and the case's
 * public page says what it answers. axe-core finds nothing on any of these pages, and each
 * fits 320 px.
 */
let org: Client;
let phone: BrowserContext;
const tokens: string[] = [];
const AGAINST = 'The accounts hide a deficit: wait for the auditors.';

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  // m0 and m2 in North, m1 and m3 in South.
  org = await organisationWithRoll(app(), 4, 'Question Union');
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

test("members write the case against the office's question, and it stands", async () => {
  const made = await org.json('POST', '/api/v1/ballots', {
    title: 'Annual ballot',
    ...ballotTimes(),
    questions: [{ title: 'Adopt the accounts?', description: 'The accounts for last year.', method: 'yesno' }],
  });
  expect(made.status).toBe(201);
  const page = await phone.newPage();
  await page.goto(`${app().url}/p/${tokens[0]}`);
  expect(await page.getByRole('heading', { name: 'The office’s questions on coming ballots' }).count()).toBe(1);
  expect(await page.getByRole('heading', { name: 'Adopt the accounts?' }).count()).toBe(1);
  await accessible(page, 'member page with an office question');

  // An empty case against is a problem named on the page.
  await page.getByLabel('The case against', { exact: true }).fill(' ');
  await page.getByRole('button', { name: 'Save the case against as a draft' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('The case against');
  await accessible(page, 'office question form with a problem');
  await page.getByLabel('The case against', { exact: true }).fill(AGAINST);
  await page.getByRole('button', { name: 'Save the case against as a draft' }).click();
  expect(await page.getByRole('status').innerText()).toContain('Your case against is saved as a draft');
  expect(await page.locator('main').innerText()).toContain('You have written a case against this question');
  await page.getByRole('button', { name: 'Start gathering support for “The case against”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You are its first supporter');
  await accessible(page, 'member page with a case against an office question gathering support');

  // Member 1 (South) supports it: two branches, it qualifies; the question shows it, with no form for another.
  await page.goto(`${app().url}/p/${tokens[1]}`);
  await page.getByRole('button', { name: 'Support “The case against”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You support this proposal');
  expect(await page.getByRole('heading', { name: 'The members’ case against' }).count()).toBe(1);
  expect(await page.getByLabel('The case against', { exact: true }).count()).toBe(0);
  await accessible(page, 'member page with the members’ case against an office question');

  const [c] = (await org.json('GET', '/api/v1/proposals')).body as Array<{ id: string; kind: string }>;
  expect(c!.kind).toBe('against');
  await page.goto(`${app().url}/proposals/${c!.id}`);
  expect(await page.locator('main').innerText()).toContain(
    'A members’ case against the question “Adopt the accounts?” on the ballot “Annual ballot”',
  );
  expect(await page.locator('main').innerText()).toContain(AGAINST);
  await accessible(page, 'public page of a case against an office question');
  await page.close();
});

test("a ballot's question is offered only to the members its eligibility rule includes", async () => {
  const made = await org.json('POST', '/api/v1/ballots', {
    title: 'North ballot',
    ...ballotTimes(),
    eligibility: { branches: ['North'] },
    questions: [{ title: 'Move the branch office?', method: 'yesno' }],
  });
  expect(made.status).toBe(201);
  // Member 0 (North) is offered it and writes a case against it.
  const page = await phone.newPage();
  await page.goto(`${app().url}/p/${tokens[0]}`);
  expect(await page.getByRole('heading', { name: 'Move the branch office?' }).count()).toBe(1);
  await page.getByLabel('The case against', { exact: true }).fill('The office is fine where it is.');
  await page.getByRole('button', { name: 'Save the case against as a draft' }).click();
  await page.getByRole('button', { name: 'Start gathering support for “The case against”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You are its first supporter');

  // Member 1 (South, who supports the first test's case) is not offered the question, and is told why they cannot support the case.
  await page.goto(`${app().url}/p/${tokens[1]}`);
  expect(await page.getByRole('heading', { name: 'Move the branch office?' }).count()).toBe(0);
  expect(await page.locator('main').innerText()).toContain(
    'You cannot support it: only members of the branch North may vote on the ballot “North ballot”',
  );
  expect(await page.getByRole('button', { name: 'Support “The case against”' }).count()).toBe(0);
  await accessible(page, 'member page with a case against on a ballot the member may not vote on');
  await page.close();
});
