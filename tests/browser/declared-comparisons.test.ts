import type { Page } from 'playwright-core';
import { ballotTimes, type Client, runChoiceBallot, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext, screenshotOf } from '../support/browser';
import { scaled } from '../support/machine';
import { browserAndAppPerFile, signedInPage } from './helpers';

/**
 * Issue 12 in a real Chromium: the organiser declares three delegate comparisons on a
 * question in the builder, without JavaScript; the ballot runs; the results page shows all
 * three with their plain-language descriptions and the robustness view, and axe finds nothing.
 * North 18 members: Ann 11, Bob 7. South 12: Bob 8, Cat 4. The members choose Bob (15).
 */
jest.setTimeout(scaled(240_000));

const EMAIL = 'dora.delegates@example.org';
let org: Client;

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Conference Union', EMAIL);
  const rows = [
    ...Array.from({ length: 18 }, (_, i) => `n${i}@example.org,North ${i},North`),
    ...Array.from({ length: 12 }, (_, i) => `s${i}@example.org,South ${i},South`),
  ];
  const r = await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  expect(r.status).toBe(200);
});

/** Fills comparison `j` of question 1 (its own fieldset), after adding it with the builder's button. */
async function declare(
  page: Page,
  j: number,
  c: { name: string; method: string; seats?: string; table?: string; extras?: string; procedure: string },
): Promise<void> {
  await page
    .getByRole('group', { name: 'Question 1', exact: true })
    .getByRole('button', { name: 'Add a comparison to question 1' })
    .click();
  await page.waitForURL(new RegExp(`#q0_c${j}_label$`));
  const row = page.getByRole('group', { name: `Comparison ${j + 1} for question 1`, exact: true });
  await row.getByLabel('Its name (optional)').fill(c.name);
  await row.getByLabel('How delegates are shared out').selectOption(c.method);
  if (c.seats) await row.getByLabel('Delegates in all', { exact: false }).fill(c.seats);
  if (c.table) await row.getByLabel('Fixed numbers or band table').fill(c.table);
  if (c.extras) await row.getByLabel('Extra delegates (optional)').fill(c.extras);
  await row.getByLabel('How the conference decides').selectOption(c.procedure);
}

test('three comparisons declared in the builder, shown on the results page with the robustness view', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Conference venue',
    ...ballotTimes(),
    delegates: null,
    questions: [
      { title: 'Where?', method: 'plurality', options: [{ label: 'Ann' }, { label: 'Bob' }, { label: 'Cat' }] },
    ],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  // The builder, without JavaScript: each "Add a comparison" reloads the page, keeping what was typed.
  const plain = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  try {
    const page = await signedInPage(app(), plain, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/edit`);
    await declare(page, 0, { name: 'Rule book', method: 'hamilton', seats: '10', procedure: 'method' });
    await declare(page, 1, { name: 'Exhaustive ballot', method: 'hamilton', seats: '10', procedure: 'exhaustive' });
    await declare(page, 2, {
      name: 'Fixed numbers',
      method: 'fixed',
      table: 'North: 2\nSouth: 3',
      // One more delegate for 5 or more women: South's 6 (the organiser's count), North's 4 not.
      extras: 'women; 5; North: 4, South: 6',
      procedure: 'run-off',
    });
    expect(
      await page
        .getByRole('group', { name: 'Comparison 1 for question 1' })
        .getByLabel('Its name (optional)')
        .inputValue(),
    ).toBe('Rule book');
    await page.getByRole('button', { name: 'Save the draft' }).last().click();
    await page.waitForURL(new RegExp(`/ballots/${id}\\?done=`));
    await page.getByText('Delegate comparisons declared for this question').waitFor();
  } finally {
    await plain.close();
  }
  const draft = (await org.json('GET', `/api/v1/ballots/${id}`)).body;
  expect(draft.questions[0].comparisons).toEqual([
    {
      label: 'Rule book',
      model: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 },
      procedure: { kind: 'method' },
    },
    {
      label: 'Exhaustive ballot',
      model: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 10 },
      procedure: { kind: 'exhaustive', majorityOf: 'cast' },
    },
    {
      label: 'Fixed numbers',
      model: {
        basis: 'members',
        rule: 'bloc',
        method: 'fixed',
        numbers: { North: 2, South: 3 },
        extras: [{ label: 'women', atLeast: 5, delegates: 1, counts: { North: 4, South: 6 } }],
      },
      procedure: { kind: 'majority', required: '1/2', otherwise: 'run-off' },
    },
  ]);

  // The ballot runs: opened, every member votes, closed.
  await runChoiceBallot(app(), org, id, draft.questions[0].id, {
    North: [...Array<number>(11).fill(0), ...Array<number>(7).fill(1)],
    South: [...Array<number>(8).fill(1), ...Array<number>(4).fill(2)],
  });

  const context = await axeContext(browser(), DESKTOP);
  try {
    const page = await signedInPage(app(), context, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/results`);
    const section = page.getByRole('region', { name: '1. Where?' });
    await section.getByRole('heading', { name: 'Delegate comparisons declared before the ballot opened' }).waitFor();
    // Each of the three with its description and what it decides: Hamilton gives North 6 and South 4, so
    // Ann 6 of 10 (by plurality, and a majority at once by exhaustive ballot); fixed 2 and 3, and
    // South's extra for its women: Bob 4 of 6.
    for (const [name, words, decided] of [
      [
        'Rule book',
        '10 delegates are shared among the branches in proportion to their members, by Hamilton',
        'differently',
      ],
      ['Exhaustive ballot', 'The conference votes by exhaustive ballot', 'differently'],
      [
        'Fixed numbers',
        'Each branch sends the number of delegates the rule book fixes for it',
        'as the members did: Bob',
      ],
    ] as const) {
      const c = section.getByRole('region', { name, exact: true });
      expect(await c.locator('p.model').textContent()).toContain(words);
      if (name === 'Fixed numbers')
        expect(await c.locator('p.model').textContent()).toContain(
          '1 more delegate for a branch with 5 or more women (South by the counts entered)',
        );
      await c.getByText(`The conference would have decided ${decided}`).waitFor();
    }
    await section.getByRole('heading', { name: "How robust is the members' answer?" }).waitFor();
    await section
      .getByText('The members chose Bob. Of the 3 declared comparisons, 1 of 3 agree with them; of the 7 common models')
      .waitFor();
    const sweep = section.getByRole('table', { name: /standard sweep of common models/ });
    expect(await sweep.locator('tbody tr').count()).toBe(7);
    await screenshotOf(section, 'results-declared-comparisons');
    expect(describeViolations('results with declared comparisons', await axeViolations(page))).toBe('');
  } finally {
    await context.close();
  }
});
