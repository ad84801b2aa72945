import type { BrowserContext, Locator, Page } from 'playwright-core';
import { createSetupLink } from '../../src/services/auth';
import { inParallel } from '../../src/platform/in-parallel';
import { DESKTOP, newContext, PHONE, screenshot, screenshotOf } from '../support/browser';
import { atOnce, scaled } from '../support/machine';
import { linkIn, waitFor } from '../support/smtp';
import { browserAndAppPerFile } from './helpers';

/**
 * The whole service in a real browser. An organiser sets up the organisation, imports 60
 * members, builds a ballot (a yes/no question and a three-seat STV election) in the
 * builder, and opens it; the invitations go through a real SMTP server on loopback; 60
 * members, each in a browser session of their own, open the link from their own email
 * and vote (a third without JavaScript, the rest with tap-to-rank); the organiser closes
 * the ballot and reads the results, the count round by round and the delegate comparison.
 * The figures on the page must be the ones worked out by hand below from what was cast.
 */
// 60 members voting in browsers takes a while: each test may take 180 s, scaled to this machine.
jest.setTimeout(scaled(180_000));

let organiser: BrowserContext;
let staff: Page;
let ballotId = '';

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  organiser = await newContext(browser(), DESKTOP);
  staff = await organiser.newPage();
});

const MEMBERS = 60;
const [ASHA, BRUNO, CHLOE, DMITRI, EFUA] = [
  'Asha Patel',
  'Bruno Costa',
  'Chloe Martin',
  'Dmitri Ivanov',
  'Efua Mensah',
] as const;
const CANDIDATES = [ASHA, BRUNO, CHLOE, DMITRI, EFUA];
const branchOf = (i: number) => (i % 2 === 0 ? 'North' : 'South');

/**
 * What member i casts. Yes/no by i mod 12: 0–6 Yes, 7–10 No, 11 abstains, so 35 Yes,
 * 20 No, 5 abstentions; in each branch (even i North, odd i South) Yes has the majority
 * (North 20 Yes to 10 No, South 15 Yes to 10 No, 5 abstain).
 * STV, three seats: 20 rank Asha > Chloe, 15 Bruno > Dmitri, 10 Chloe alone, 6 Dmitri >
 * Chloe, 4 Efua > Dmitri, 5 abstain. 55 valid votes; Droop quota ⌊55/4⌋ + 1 = 14. Round 1:
 * Asha 20 and Bruno 15 reach it; Asha's surplus of 6 goes to Chloe (10 + 6 = 16 ≥ 14);
 * elected: Asha, Bruno, Chloe.
 */
function plan(i: number): { yesno: 'Yes' | 'No' | 'abstain'; ranking: string[] | 'abstain' } {
  const r = i % 12;
  const yesno = r <= 6 ? 'Yes' : r <= 10 ? 'No' : 'abstain';
  const ranking =
    i < 20
      ? [ASHA, CHLOE]
      : i < 35
        ? [BRUNO, DMITRI]
        : i < 45
          ? [CHLOE]
          : i < 51
            ? [DMITRI, CHLOE]
            : i < 55
              ? [EFUA, DMITRI]
              : 'abstain';
  return { yesno, ranking };
}

const group = (page: Page | Locator, name: string) => page.getByRole('group', { name, exact: true });

test('the organiser sets up, imports 60 members, builds and opens a ballot, in the browser', async () => {
  await staff.goto(await createSetupLink(app().ctx));
  await staff.getByLabel('Organisation name').fill('Riverside Tenants Union');
  await staff.getByLabel('Your name').fill('Olive Organiser');
  await staff.getByLabel('Your email').fill('olive@example.org');
  await staff.getByLabel('Password (at least 12 characters)').fill('correct horse battery staple');
  await staff.getByRole('button', { name: 'Create organisation' }).click();
  await staff.waitForURL(`${app().url}/`);

  // The roll, as a file a spreadsheet would save.
  await staff.goto(`${app().url}/roll/import`);
  const csv = [
    'email,name,branch',
    ...Array.from({ length: MEMBERS }, (_, i) => `m${i}@example.org,Member ${i},${branchOf(i)}`),
  ].join('\r\n');
  await staff
    .getByLabel('A CSV file')
    .setInputFiles({ name: 'roll.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await staff.getByRole('button', { name: 'Preview the changes' }).click();
  expect(await staff.locator('main').innerText()).toMatch(/60/);
  await screenshot(staff, 'organiser-roll-preview');
  await staff.getByRole('button', { name: 'Apply these changes' }).click();
  await staff.goto(`${app().url}/roll`);
  expect(await staff.locator('main').innerText()).toContain('60 current members in 2 branches');

  // The ballot, in the builder: open from a few minutes ago (UTC), closing in two hours.
  await staff.goto(`${app().url}/ballots/new`);
  const local = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16);
  await staff.getByLabel('Title of the ballot').fill('Annual general ballot');
  await staff.getByLabel('Description (optional)').fill('Please vote on the rule book and elect the executive.');
  await staff.getByLabel('Voting opens').fill(local(Date.now() - 5 * 60_000));
  await staff.getByLabel('Voting closes').fill(local(Date.now() + 2 * 3600_000));
  await group(staff, 'Question 1').getByLabel('The question').fill('Adopt the new rule book?');
  await staff.getByLabel('Method of the new question').selectOption('stv');
  await staff.getByRole('button', { name: 'Add another question' }).click();
  const q2 = group(staff, 'Question 2');
  await q2.getByLabel('The question').fill('National executive');
  expect(await q2.getByLabel('How it is decided').inputValue()).toBe('stv');
  await q2.getByLabel('Seats (places to fill)').fill('3');
  for (const [j, name] of CANDIDATES.entries()) {
    if (j >= 2) await staff.getByRole('button', { name: 'Add an option to question 2' }).click();
    await q2.getByLabel(`Option ${j + 1}`, { exact: true }).fill(name);
  }
  // Every value typed survived the round trips of "add".
  expect(await group(staff, 'Question 1').getByLabel('The question').inputValue()).toBe('Adopt the new rule book?');
  expect(await q2.getByLabel('Option 1', { exact: true }).inputValue()).toBe(ASHA);
  await screenshot(staff, 'organiser-builder');
  await screenshotOf(q2, 'organiser-builder-stv-question');
  await staff.getByRole('button', { name: 'Save the draft' }).click();
  await staff.waitForURL(/\/ballots\/[0-9a-f-]{36}\?done=created$/);
  ballotId = /\/ballots\/([0-9a-f-]{36})/.exec(staff.url())![1]!;
  await screenshot(staff, 'organiser-ballot-draft');

  await staff.getByLabel(/^I have checked the ballot .*; open it now$/).check();
  await staff.getByRole('button', { name: `Open the ballot and email ${MEMBERS} members` }).click();
  await staff.waitForURL(new RegExp(`/ballots/${ballotId}/invitations`));
  await waitFor('60 invitations over SMTP', () => (smtp().received.length >= MEMBERS ? true : undefined), 60_000);
  // The sink has every message; the page says so once the worker has marked them sent.
  await waitFor('the delivery page to count 60 sent', async () => {
    await staff.reload();
    return (await staff.locator('main').innerText()).includes(`${MEMBERS} of ${MEMBERS} sent`) ? true : undefined;
  });
  await screenshot(staff, 'organiser-invitations');
});

const receipts: string[] = [];

test('60 members vote, each in a browser session of their own, from the link in their own email', async () => {
  expect(ballotId).not.toBe('');
  const mails = smtp().received.filter((m) => /^m\d+@example\.org$/.test(m.to[0] ?? ''));
  expect(new Set(mails.map((m) => m.to[0])).size).toBe(MEMBERS);
  const voters = mails.map((m) => ({ index: Number(/^m(\d+)@/.exec(m.to[0]!)![1]), link: linkIn(m.raw) }));
  voters.sort((a, b) => a.index - b.index);

  // Four browser sessions at once on a quiet machine, fewer on a busy one: every member votes all the same.
  await inParallel(voters, atOnce(4), async ({ index, link }) => {
    const scripted = index % 3 !== 0;
    const context = await newContext(browser(), { ...PHONE, javaScriptEnabled: scripted });
    try {
      const page = await context.newPage();
      const shoot = index === 1;
      expect((await page.goto(link))?.status()).toBe(200);
      if (shoot) await screenshot(page, 'e2e-voter-paper');
      const want = plan(index);
      const q1 = group(page, '1. Adopt the new rule book?');
      await q1
        .getByLabel(want.yesno === 'abstain' ? 'Abstain (no choice on this question)' : want.yesno, { exact: true })
        .check();
      const q2 = group(page, '2. National executive');
      if (want.ranking === 'abstain') await q2.getByLabel('Abstain on this question').check();
      else {
        for (const [n, name] of want.ranking.entries()) {
          if (scripted) await q2.getByRole('button', { name: new RegExp(`^${name}:`) }).tap();
          else await q2.getByRole('combobox', { name }).selectOption(String(n + 1));
        }
      }
      if (shoot) await screenshot(page, 'e2e-voter-paper-filled');
      await page.getByRole('button', { name: 'Review my vote' }).click();
      if (shoot) await screenshot(page, 'e2e-voter-review');
      await page.getByRole('button', { name: 'Cast my vote' }).click();
      const code = await page.locator('.receipt').textContent({ timeout: scaled(10_000) });
      expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}$/);
      if (shoot) await screenshot(page, 'e2e-voter-receipt');
      receipts.push(code!);
    } finally {
      await context.close();
    }
  });
  expect(new Set(receipts).size).toBe(MEMBERS);
});

/** The cells of a table's row whose header is `name`, as text. */
async function row(table: Locator, name: string): Promise<string[]> {
  return table
    .getByRole('row')
    .filter({ has: table.page().getByRole('rowheader', { name, exact: true }) })
    .getByRole('cell')
    .allInnerTexts();
}

test('the organiser closes the ballot and reads the result, the rounds and the delegate comparison: the figures cast', async () => {
  expect(receipts).toHaveLength(MEMBERS);
  await staff.goto(`${app().url}/ballots/${ballotId}`);
  expect(await staff.locator('main').innerText()).toContain(`${MEMBERS} of ${MEMBERS} members have voted`);
  await staff.getByLabel('Yes, stop voting now').check();
  await staff.getByRole('button', { name: 'Close the ballot now' }).click();
  await staff.waitForURL(new RegExp(`/ballots/${ballotId}/results`));
  const main = staff.locator('main');
  expect(await main.innerText()).toContain(`${MEMBERS} of ${MEMBERS} members voted (100.0%)`);
  await screenshot(staff, 'organiser-results');

  const yesno = staff.getByRole('region', { name: '1. Adopt the new rule book?' });
  const votes = yesno.getByRole('table', { name: 'Votes per option' });
  expect((await row(votes, 'Yes'))[0]).toBe('35');
  expect((await row(votes, 'No'))[0]).toBe('20');
  expect((await row(votes, 'Abstentions'))[0]).toBe('5');
  expect(await yesno.innerText()).toContain('Carried.');
  // Delegate conference: 100 delegates shared by members (Sainte-Laguë) between two
  // branches of 30: 50 each, voting as a bloc; both branches are for Yes, so 100 to 0.
  expect(await yesno.getByRole('heading', { name: "Members' vote and a delegate conference" }).count()).toBe(1);
  expect(await yesno.innerText()).toContain('The conference would have decided the same');
  const side = yesno.getByRole('table', { name: 'Side by side' });
  expect(await row(side, 'Yes')).toEqual(['35 votes (63.6%)', '100 delegate votes (100.0%)']);
  expect(await row(side, 'No')).toEqual(['20 votes (36.4%)', '0 delegate votes (0.0%)']);

  const stv = staff.getByRole('region', { name: '2. National executive' });
  expect(await stv.innerText()).toContain(`Elected: ${[ASHA, BRUNO, CHLOE].join(', ')}.`);
  const rounds = stv.getByRole('table', { name: 'The count, round by round' });
  const firstRound = async (name: string) => Number((await row(rounds, name))[0]);
  expect(await Promise.all(CANDIDATES.map(firstRound))).toEqual([20, 15, 10, 6, 4]);
  expect(Number((await row(rounds, 'Quota'))[0])).toBe(14);
  // Chloe reaches the quota with Asha's surplus of 6 (10 + 6).
  expect(Number((await row(rounds, CHLOE)).at(-2))).toBe(16);
  expect(await stv.getByRole('heading', { name: "Members' vote and a delegate conference" }).count()).toBe(1);
  await screenshotOf(stv, 'organiser-results-stv', true);
  await screenshotOf(yesno, 'organiser-results-delegates', true);

  // Every receipt is on the bulletin board.
  await staff.goto(`${app().url}/board/${ballotId}`);
  const board = await staff.locator('main').innerText();
  for (const code of receipts) expect(board).toContain(code);
});
