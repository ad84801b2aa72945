import type { Page } from 'playwright-core';
import { ballotTimes, type Client, runChoiceBallot, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext } from '../support/browser';
import { scaled } from '../support/machine';
import { browserAndAppPerFile, signedInPage } from './helpers';

/**
 * Issue 12, item 4, in a real Chromium: the organiser declares, in the builder without
 * JavaScript, delegates chosen by meeting attendees and a members' council chosen by lot; the
 * ballot runs; the results page shows both, with the meetings' table and the draw, and axe
 * finds nothing. North 18 members: A 11, B 7. South 12: A 2, B 10. The members choose B (17).
 */
jest.setTimeout(scaled(240_000));

const EMAIL = 'lou.lots@example.org';
let org: Client;

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Lots Union', EMAIL);
  const rows = [
    ...Array.from({ length: 18 }, (_, i) => `n${i}@example.org,North ${i},North`),
    ...Array.from({ length: 12 }, (_, i) => `s${i}@example.org,South ${i},South`),
  ];
  const r = await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  expect(r.status).toBe(200);
});

/** Adds comparison `j` to question 1 with the builder's button and gives its name and model. */
async function add(page: Page, j: number, name: string, method: string) {
  await page
    .getByRole('group', { name: 'Question 1', exact: true })
    .getByRole('button', { name: 'Add a comparison to question 1' })
    .click();
  await page.waitForURL(new RegExp(`#q0_c${j}_label$`));
  const row = page.getByRole('group', { name: `Comparison ${j + 1} for question 1`, exact: true });
  await row.getByLabel('Its name (optional)').fill(name);
  await row.getByLabel('How delegates are shared out').selectOption(method);
  return row;
}

test('meeting attendees and a council by lot declared in the builder, shown on the results page', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Conference date',
    ...ballotTimes(),
    delegates: null,
    questions: [{ title: 'When?', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  const plain = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  try {
    const page = await signedInPage(app(), plain, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/edit`);
    const meetings = await add(page, 0, 'Branch meetings', 'fixed');
    await meetings.getByLabel('Fixed numbers or band table').fill('North: 3\nSouth: 2');
    await meetings.getByLabel('How delegates vote').selectOption('attendees');
    await meetings.getByLabel('Meeting attendance', { exact: false }).fill('North: 2\nSouth: 1');
    const council = await add(page, 1, 'Council by lot', 'sortition');
    await council.getByLabel('Delegates in all', { exact: false }).fill('5');
    await council.getByLabel('Council by lot: seed').fill('seed typed by the organiser');
    await council.getByLabel('Council by lot: drawn').selectOption('stratified');
    await page.getByRole('button', { name: 'Save the draft' }).last().click();
    await page.waitForURL(new RegExp(`/ballots/${id}\\?done=`));
  } finally {
    await plain.close();
  }
  const draft = (await org.json('GET', `/api/v1/ballots/${id}`)).body;
  expect(draft.questions[0].comparisons).toEqual([
    {
      label: 'Branch meetings',
      model: {
        basis: 'members',
        rule: 'attendees',
        method: 'fixed',
        numbers: { North: 3, South: 2 },
        attendance: { North: 2, South: 1 },
      },
      procedure: { kind: 'method' },
    },
    {
      label: 'Council by lot',
      model: { method: 'sortition', council: 5, stratified: true, seed: 'seed typed by the organiser' },
      procedure: { kind: 'method' },
    },
  ]);

  await runChoiceBallot(app(), org, id, draft.questions[0].id, {
    North: [...Array<number>(11).fill(0), ...Array<number>(7).fill(1)],
    South: [...Array<number>(2).fill(0), ...Array<number>(10).fill(1)],
  });

  const context = await axeContext(browser(), DESKTOP);
  try {
    const page = await signedInPage(app(), context, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/results`);
    const section = page.getByRole('region', { name: '1. When?' });
    const meetings = section.getByRole('region', { name: 'Branch meetings', exact: true });
    expect(await meetings.locator('p.model').textContent()).toContain(
      'attendance entered by the organiser: North 2, South 1',
    );
    // North's 3 delegates to its voters' A, South's 2 to B: A, against the members' B.
    await meetings.getByText('The conference would have decided differently').waitFor();
    await meetings.getByText('It rests on who attended the meetings').waitFor();
    const table = meetings.getByRole('table', { name: /the chance that each branch's meeting has another majority/ });
    expect(await table.locator('tbody tr').count()).toBe(2);
    const council = section.getByRole('region', { name: 'Council by lot', exact: true });
    expect(await council.locator('p.model').textContent()).toContain('never members');
    await council.getByText('It rests on one draw by lot').waitFor();
    // Stratified: 5 seats by ballots, 5·18/30 = 3 and 5·12/30 = 2.
    await council.getByText('North 3 of 18, South 2 of 12').waitFor();
    expect(describeViolations('results with meetings and a council', await axeViolations(page))).toBe('');
  } finally {
    await context.close();
  }
});
