import type { Page } from 'playwright-core';
import { ballotTimes, type Client, runChoiceBallot, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext, screenshotOf } from '../support/browser';
import { scaled } from '../support/machine';
import { browserAndAppPerFile, signedInPage } from './helpers';

/**
 * The rule books' models in a real Chromium: the organiser types regional tiers, an
 * affiliated delegation and a balance into the builder without JavaScript; the ballot runs;
 * the results page shows their tables and words, and axe finds nothing.
 * North 18 members: Ann 11, Bob 7. South 12: Bob 8, Cat 4. The members choose Bob (15).
 * Regions (North in East with 1 delegate, South in West with 2): in one conference Bob 2, Ann 1
 * (no tie, so no lot decides the one-tier answer); East decides Ann, West Bob; 5 national delegates by Sainte-Laguë on 18 : 12 (quotients 18, 12, 6, 4, 3.6) → East 3,
 * West 2: Ann 3, Bob 2 → Ann, against the members. Affiliates and balance: North 2 (Ann),
 * South 3 (Bob), Unite 2 mandated for Bob → Bob 5, Ann 2; at least half of each delegation
 * women: South must send 2 of its 3 and has 1 by the count entered.
 */
jest.setTimeout(scaled(240_000));

const EMAIL = 'rhea.rulebook@example.org';
let org: Client;

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Rule Book Union', EMAIL);
  const rows = [
    ...Array.from({ length: 18 }, (_, i) => `n${i}@example.org,North ${i},North`),
    ...Array.from({ length: 12 }, (_, i) => `s${i}@example.org,South ${i},South`),
  ];
  const r = await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  expect(r.status).toBe(200);
});

async function declare(page: Page, j: number, fields: Array<[string, string]>): Promise<void> {
  await page
    .getByRole('group', { name: 'Question 1', exact: true })
    .getByRole('button', { name: 'Add a comparison to question 1' })
    .click();
  await page.waitForURL(new RegExp(`#q0_c${j}_label$`));
  const row = page.getByRole('group', { name: `Comparison ${j + 1} for question 1`, exact: true });
  await row.getByLabel('How delegates are shared out').selectOption('fixed');
  for (const [label, value] of fields) await row.getByLabel(label, { exact: true }).fill(value);
}

test('regional tiers, an affiliated delegation and a balance typed in the builder, shown on the results page', async () => {
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

  const plain = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  try {
    const page = await signedInPage(app(), plain, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/edit`);
    await declare(page, 0, [
      ['Its name (optional)', 'Regions'],
      ['Fixed numbers or band table', 'North: 1\nSouth: 2'],
      ['Regional tiers: each branch’s region (optional)', 'North: East\nSouth: West'],
      ['Regional tiers: national delegates', '5'],
    ]);
    await declare(page, 1, [
      ['Its name (optional)', 'Affiliates and balance'],
      ['Fixed numbers or band table', 'North: 2\nSouth: 3'],
      ['Affiliated delegations (optional)', 'Unite; 2; Bob: 2'],
      ['Balance within each delegation (optional)', 'women; 1/2; North: 9, South: 1'],
    ]);
    await page.getByRole('button', { name: 'Save the draft' }).last().click();
    await page.waitForURL(new RegExp(`/ballots/${id}\\?done=`));
  } finally {
    await plain.close();
  }
  const draft = (await org.json('GET', `/api/v1/ballots/${id}`)).body;
  expect(draft.questions[0].comparisons.map((c: { model: object }) => c.model)).toEqual([
    {
      basis: 'members',
      rule: 'bloc',
      method: 'fixed',
      numbers: { North: 1, South: 2 },
      regions: { of: { North: 'East', South: 'West' }, seats: 5, method: 'sainte-lague', vote: 'bloc' },
    },
    {
      basis: 'members',
      rule: 'bloc',
      method: 'fixed',
      numbers: { North: 2, South: 3 },
      affiliates: [{ name: 'Unite', delegates: 2, mandate: { Bob: 2 } }],
      balance: { label: 'women', share: '1/2', counts: { North: 9, South: 1 } },
    },
  ]);

  await runChoiceBallot(app(), org, id, draft.questions[0].id, {
    North: [...Array<number>(11).fill(0), ...Array<number>(7).fill(1)],
    South: [...Array<number>(8).fill(1), ...Array<number>(4).fill(2)],
  });

  const context = await axeContext(browser(), DESKTOP);
  try {
    const page = await signedInPage(app(), context, EMAIL);
    await page.goto(`${app().url}/ballots/${id}/results`);
    const section = page.getByRole('region', { name: '1. Where?' });
    const regions = section.getByRole('region', { name: 'Regions', exact: true });
    expect(await regions.locator('p.model').textContent()).toContain('Regional tiers');
    await regions.getByText('The conference would have decided differently').waitFor();
    const tiers = regions.getByRole('table', { name: /Regional tiers: the regional conferences/ });
    expect(await tiers.locator('tbody tr').count()).toBe(2);
    await regions.getByText(/meeting in one conference .*Bob: the tiers changed the answer/).waitFor();
    const mixed = section.getByRole('region', { name: 'Affiliates and balance', exact: true });
    await mixed.getByText('The conference would have decided as the members did: Bob').waitFor();
    const balance = mixed.getByRole('table', { name: 'Balance: at least 1/2 of each delegation women' });
    expect(await balance.locator('tbody tr').count()).toBe(2);
    await mixed.getByText('South has fewer women than the rule asks them to send.').waitFor();
    await screenshotOf(section, 'results-rulebook-models');
    expect(describeViolations('results with rule-book models', await axeViolations(page))).toBe('');
  } finally {
    await context.close();
  }
});
