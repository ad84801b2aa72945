import type { BrowserContext, Page } from 'playwright-core';
import { type Client, setUpOrganisation } from '../support/app';
import { type AgendaBallot, ballotWithAgenda, CASE_FOR, MEMBERS_AGAINST } from '../support/agenda';
import {
  axeContext,
  axeViolations,
  describeViolations,
  DESKTOP,
  newContext,
  overflowsSideways,
  PHONE,
} from '../support/browser';
import { browserAndAppPerFile, signedInPage } from './helpers';
import { electionOnBallot } from '../support/nominations';

/**
 * The office's forms for statements and for the agenda's order, in a real Chromium
 * (docs/proposals.md): from a draft ballot's Statements tab the office writes the case for
 * and against its own question (a statement too long comes back refused, naming the field,
 * with what was typed kept), and reads, with who wrote them and why it cannot write them, the
 * proposers' case for a members' motion and a members' case against; on /proposals it
 * declares the order of the motion's amendments (the same amendment twice is refused on the
 * page). Both forms work with JavaScript off. Once the ballot opens both are read-only. An
 * election's question shows its candidates and their own statements, with no field.
 * axe-core finds nothing on any of these pages, each fits 320 px.
 */
const EMAIL = 'olive.statements@example.org';
let org: Client;
let phone: BrowserContext;
let noScript: BrowserContext;
let setup: AgendaBallot;

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Statements Union', EMAIL);
  const csv = [
    'email,name,branch',
    ...[0, 1, 2, 3].map((i) => `m${i}@example.org,Member ${i},${['North', 'South'][i % 2]}`),
  ];
  expect((await org.json('POST', '/api/v1/roll/import', csv.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  setup = await ballotWithAgenda(app(), org);
  phone = await axeContext(browser(), PHONE);
  noScript = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
});

async function accessible(page: Page, name: string): Promise<void> {
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

test('the office writes its statements from the Statements tab; the members’ and proposers’ are shown read-only', async () => {
  const page = await signedInPage(app(), phone, EMAIL);
  await page.goto(`${app().url}/ballots/${setup.ballotId}`);
  await page.getByRole('link', { name: 'Statements', exact: true }).click();
  expect(new URL(page.url()).pathname).toBe(`/ballots/${setup.ballotId}/statements`);
  await accessible(page, 'statements page');
  const main = page.locator('main');
  // The proposers' case for and the members' case against: shown with who wrote them, no field.
  const text = await main.innerText();
  expect(text).toContain(CASE_FOR);
  expect(text).toContain('Written by the proposers of the member’s proposal “Set the dues”');
  expect(text).toContain(MEMBERS_AGAINST);
  expect(text).toContain('the office cannot write over it or remove it');
  expect(await page.getByLabel('The case for “Set the dues”').count()).toBe(0);
  expect(await page.getByLabel('The case against “Adopt the accounts?”').count()).toBe(0);
  // The office's fields: the case for of its questions, the case against where no members' case stands.
  expect(await page.getByLabel('The case for “Adopt the accounts?”').count()).toBe(1);
  expect(await page.getByLabel('The case against “Set the dues”').count()).toBe(1);

  // Too long: refused on the page, naming the field, what was typed kept.
  const long = 'Moving saves rent. '.repeat(110);
  await page.getByLabel('The case for “Move the office?”').fill(long);
  await page.getByLabel('The case against “Move the office?”').fill('The new office is far from the stations.');
  const refused = page.waitForResponse((r) => r.url().includes('/statements/') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Save the statements on “Move the office?”' }).click();
  expect((await refused).status()).toBe(422);
  const summary = await page.getByRole('alert').innerText();
  expect(summary).toContain('The case for “Move the office?”: it is 2,089 characters long: at most 2,000');
  expect(await page.getByLabel('The case against “Move the office?”').inputValue()).toBe(
    'The new office is far from the stations.',
  );
  expect(await page.getByLabel('The case for “Move the office?”').getAttribute('aria-invalid')).toBe('true');
  await accessible(page, 'statements page with a problem');
  const stored = await app()
    .db.selectFrom('question_statements')
    .select('text')
    .where('question_id', '=', setup.questions.office)
    .execute();
  expect(stored).toEqual([]);

  await page.getByLabel('The case for “Move the office?”').fill('Moving saves rent.\n\nAnd the lease ends in May.');
  await page.getByRole('button', { name: 'Save the statements on “Move the office?”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('The statements are saved');
  expect(await page.getByLabel('The case for “Move the office?”').inputValue()).toBe(
    'Moving saves rent.\n\nAnd the lease ends in May.',
  );
  await page.close();

  // Without JavaScript: the office writes the case against the members' motion.
  const plain = await signedInPage(app(), noScript, EMAIL);
  await plain.goto(`${app().url}/ballots/${setup.ballotId}/statements`);
  await plain.getByLabel('The case against “Set the dues”').fill('The dues are high enough.');
  await plain.getByRole('button', { name: 'Save the statements on “Set the dues”' }).click();
  expect(await plain.getByRole('status').innerText()).toContain('The statements are saved');
  await plain.close();
  const api = await org.json(
    'PUT',
    `/api/v1/ballots/${setup.ballotId}/questions/${setup.questions.motion}/statements`,
    {
      against: 'The dues are high enough.',
    },
  );
  expect(api.body).toEqual({
    for: { text: CASE_FOR, author: 'proposers' },
    against: { text: 'The dues are high enough.', author: 'office' },
  });
});

test('the office declares the agenda’s order on /proposals; the same amendment twice is refused on the page', async () => {
  const page = await signedInPage(app(), phone, EMAIL);
  await page.goto(`${app().url}/proposals`);
  const steps = () => [page.getByLabel('Step 1'), page.getByLabel('Step 2')];
  // By default, the order of tabling.
  expect(await steps()[0]!.locator('option:checked').innerText()).toBe('Amendment 1: Half the rate');
  expect(await steps()[1]!.locator('option:checked').innerText()).toBe('Amendment 2: A cap');
  await accessible(page, 'proposals page with the agenda form');

  await steps()[1]!.selectOption({ label: 'Amendment 1: Half the rate' });
  const refused = page.waitForResponse((r) => r.url().endsWith('/agenda-order'));
  await page.getByRole('button', { name: 'Declare this order for “Set the dues”' }).click();
  expect((await refused).status()).toBe(422);
  expect(await page.getByRole('alert').innerText()).toContain('name every amendment on the ballot once');
  // What was chosen is kept.
  expect(await steps()[1]!.locator('option:checked').innerText()).toBe('Amendment 1: Half the rate');
  await accessible(page, 'agenda form refused');
  await page.close();

  // Without JavaScript: the order reversed.
  const plain = await signedInPage(app(), noScript, EMAIL);
  await plain.goto(`${app().url}/proposals`);
  await plain.getByLabel('Step 1').selectOption({ label: 'Amendment 2: A cap' });
  await plain.getByLabel('Step 2').selectOption({ label: 'Amendment 1: Half the rate' });
  await plain.getByRole('button', { name: 'Declare this order for “Set the dues”' }).click();
  expect(await plain.getByRole('status').innerText()).toContain('The agenda’s order is declared');
  expect(await plain.getByLabel('Step 1').locator('option:checked').innerText()).toBe('Amendment 2: A cap');
  await plain.close();
  const q = (
    (await org.json('GET', `/api/v1/ballots/${setup.ballotId}`)).body.questions as Array<{
      id: string;
      settings: { agenda?: { order: number[] } };
    }>
  ).find((x) => x.id === setup.questions.motion)!;
  expect(q.settings.agenda?.order).toEqual([2, 1]);
});

test('once the ballot opens, both are read-only', async () => {
  expect((await org.json('POST', `/api/v1/ballots/${setup.ballotId}/open`)).status).toBe(200);
  const page = await signedInPage(app(), phone, EMAIL);
  await page.goto(`${app().url}/ballots/${setup.ballotId}/statements`);
  expect(await page.locator('main').innerText()).toContain('The ballot has opened: its statements are fixed');
  expect(await page.locator('main textarea').count()).toBe(0);
  expect(await page.locator('main').innerText()).toContain('And the lease ends in May.');
  await accessible(page, 'statements page of an open ballot');
  await page.goto(`${app().url}/proposals`);
  expect(await page.getByLabel('Step 1').count()).toBe(0);
  expect(await page.locator('main').innerText()).toContain('The ballot has opened: the order is fixed.');
  const items = await page.locator('main ol li').allInnerTexts();
  expect(items.filter((x) => x.startsWith('Amendment'))).toEqual(['Amendment 2: A cap', 'Amendment 1: Half the rate']);
  await page.close();
});

test('an election’s question shows its candidates and their own statements, with no field for the office', async () => {
  const made = await electionOnBallot(app(), smtp(), org, 'Branch committee', 'm0@example.org', {
    'm1@example.org': 'I will open the books.',
    'm2@example.org': 'I will answer every letter.',
  });
  const page = await signedInPage(app(), phone, EMAIL);
  await page.goto(`${app().url}/ballots/${made.ballotId}/statements`);
  const section = page.getByRole('region', { name: 'Question 2: Branch committee' });
  expect(await section.getByRole('heading', { name: 'The candidates and their statements' }).count()).toBe(1);
  const text = await section.innerText();
  expect(text).toContain('I will open the books.');
  expect(text).toContain('I will answer every letter.');
  expect(text).toContain('The office writes no case for or against this question');
  expect(await section.getByRole('textbox').count()).toBe(0);
  expect(await section.getByRole('button').count()).toBe(0);
  // The ballot's other question keeps the office's fields.
  expect(await page.getByRole('region', { name: 'Question 1: Adopt the report?' }).getByRole('textbox').count()).toBe(
    2,
  );
  await accessible(page, 'statements page with an election’s question');
  await section.getByRole('link', { name: 'Branch committee' }).click();
  expect(new URL(page.url()).pathname).toBe(`/elections/${made.electionId}`);
  await page.close();
});
