import type { Locator, Page } from 'playwright-core';
import type { Answer } from '@omov/core/domain/ballot';
import { type Client } from '../support/app';
import { newContext, overflowsSideways, PHONE, screenshot } from '../support/browser';
import {
  type BallotSummary,
  browserAndAppPerFile,
  EVERY_METHOD,
  openBallotWithTokens,
  organisationWithRoll,
} from './helpers';

/**
 * The member's voting pages in a real Chromium at 320 px: a whole ballot of every counting
 * method cast without JavaScript (mistakes included), and the same with JavaScript's
 * tap-to-rank and marking limit. What was cast is read back from the bulletin board of
 * the closed ballot (receipt policy "choices": each receipt with its answers).
 */
let org: Client;
let ballot: BallotSummary;
let tokens: string[];

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await organisationWithRoll(app(), 4, 'Paper Union');
  ({ ballot, tokens } = await openBallotWithTokens(app(), org, {
    title: 'Annual ballot 2026',
    questions: EVERY_METHOD,
    receiptPolicy: 'choices',
  }));
});

const question = (page: Page, position: number) =>
  page.getByRole('group', { name: new RegExp(`^${position + 1}\\. `) });
const rankSelect = (q: Locator, label: string) => q.getByRole('combobox', { name: new RegExp(`^${label}`) });
const idOf = (position: number) => ballot.questions[position]!.id;

/** Asserts that the page does not scroll sideways at 320 px, and saves a screenshot. */
async function fitsPhone(page: Page, name: string) {
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
  await screenshot(page, name);
}

async function closeAndReadBoard(): Promise<Map<string, Record<string, Answer>>> {
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const board = await org.json<{ receipts: Array<{ receipt: string; answers: Record<string, Answer> }> }>(
    'GET',
    `/api/v1/ballots/${ballot.id}/board`,
  );
  expect(board.status).toBe(200);
  return new Map(board.body.receipts.map((r) => [r.receipt, r.answers]));
}

const receipts = new Map<string, Record<string, Answer>>();

test('without JavaScript, at 320 px: every method, a mistake put right, a change of mind, review, cast, receipt', async () => {
  const context = await newContext(browser(), { ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto(`${app().url}/v/${tokens[0]}`);
  expect(res?.status()).toBe(200);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Annual ballot 2026');
  // Tap-to-rank is not there without the script; the numbered selects are the ballot paper.
  expect(await page.getByRole('button', { name: /rank next/ }).count()).toBe(0);
  await fitsPhone(page, 'voter-paper-nojs');

  await question(page, 0).getByLabel('Yes', { exact: true }).check();
  await question(page, 1).getByLabel('Bristol').check();
  await question(page, 2).getByLabel('Ada').check();
  await question(page, 2).getByLabel('Cai').check();
  await question(page, 3).getByLabel('Abstain on this question').check();
  await rankSelect(question(page, 4), 'Red star').selectOption('5');
  await rankSelect(question(page, 4), 'Green leaf').selectOption('0');
  // Question 6 (Borda) is left blank.
  await rankSelect(question(page, 6), 'Fay').selectOption('1');
  await rankSelect(question(page, 6), 'Eve').selectOption('2');
  const stv = question(page, 7);
  await rankSelect(stv, 'Jo Lindqvist').selectOption('1');
  await rankSelect(stv, 'Hana Okafor').selectOption('1'); // a mistake: two first choices
  await rankSelect(stv, 'Lena Müller-Schmidt').selectOption('3');
  await rankSelect(question(page, 8), 'Online').selectOption('1');
  await rankSelect(question(page, 8), 'Hall').selectOption('2');
  await rankSelect(question(page, 8), 'Library').selectOption('3');
  await rankSelect(question(page, 9), 'Hold').selectOption('1');
  await question(page, 10).getByLabel('Abstain on this question').check();
  await page.getByRole('button', { name: 'Review my vote' }).click();

  // The mistake is named, at the top and at the question, and every other answer is kept.
  const alert = page.getByRole('alert');
  expect(await alert.textContent()).toContain(
    '8. National executive (three seats): You gave the number 1 to more than one option',
  );
  expect(await stv.locator('.error').textContent()).toContain('You gave the number 1 to more than one option');
  expect(await page.title()).toMatch(/^Some answers need attention/);
  expect(await question(page, 1).getByLabel('Bristol').isChecked()).toBe(true);
  expect(await rankSelect(question(page, 4), 'Red star').inputValue()).toBe('5');
  await fitsPhone(page, 'voter-paper-problem');
  // The link in the summary leads to the question.
  expect(await alert.getByRole('link').getAttribute('href')).toBe('#q_7_0');

  await rankSelect(stv, 'Hana Okafor').selectOption('2');
  await rankSelect(stv, 'Ivan Petrov').selectOption('4');
  await page.getByRole('button', { name: 'Review my vote' }).click();
  expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toBe('Step 2 of 2: check and cast');
  let review = await page.locator('main').innerText();
  expect(review).toContain('Check your vote before you cast it');
  expect(review).toContain('Abstain (you left this question blank)');
  await fitsPhone(page, 'voter-review');

  // A change of mind: back to the paper with every answer in place.
  await page.getByRole('button', { name: 'Change my answers' }).click();
  expect(await rankSelect(stv, 'Ivan Petrov').inputValue()).toBe('4');
  expect(await question(page, 3).getByLabel('Abstain on this question').isChecked()).toBe(true);
  await question(page, 1).getByLabel('Glasgow').check();
  await page.getByRole('button', { name: 'Review my vote' }).click();
  review = await page.locator('main').innerText();
  // The STV ranking reads back in order.
  expect(review).toMatch(/Jo Lindqvist\s+Hana Okafor\s+Lena Müller-Schmidt\s+Ivan Petrov/);
  expect(review).toContain('Glasgow');
  expect(review).not.toContain('Bristol');

  const cast = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Cast my vote' }).click();
  expect((await cast).status()).toBe(201);
  const code = (await page.locator('.receipt').textContent())!;
  expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  // The receipt says where to check it: this ballot's bulletin board, by id.
  const boardLink = page.getByRole('link', { name: `${app().url}/board/${ballot.id}` });
  expect(await boardLink.getAttribute('href')).toBe(`/board/${ballot.id}`);
  expect(await page.locator('main').innerText()).toContain(`Ballot id: ${ballot.id}`);
  // Under 'choices' the board shows the answers beside each code, and the receipt page says what that means.
  expect(await page.locator('main').innerText()).toContain(
    'This code reveals your vote to anyone you show it to: keep it to yourself.',
  );
  await fitsPhone(page, 'voter-receipt');

  receipts.set(code, {
    [idOf(0)]: { kind: 'choice', option: 0 },
    [idOf(1)]: { kind: 'choice', option: 2 },
    [idOf(2)]: { kind: 'marks', options: [0, 2] },
    [idOf(3)]: { kind: 'abstain' },
    [idOf(4)]: { kind: 'scores', scores: [5, 0, null] },
    [idOf(5)]: { kind: 'abstain' },
    [idOf(6)]: { kind: 'ranking', options: [1, 0] },
    [idOf(7)]: { kind: 'ranking', options: [2, 0, 4, 1] },
    [idOf(8)]: { kind: 'ranking', options: [2, 0, 1] },
    [idOf(9)]: { kind: 'ranking', options: [1] },
    [idOf(10)]: { kind: 'abstain' },
  });

  // The link is now used up; going back to it says so.
  const again = await page.goto(`${app().url}/v/${tokens[0]}`);
  expect(again?.status()).toBe(409);
  expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('This link has already been used to vote');
  await context.close();
});

test('with JavaScript: tap to rank (in order, out again, undo, clear), a limit on marks, abstaining clears', async () => {
  const context = await newContext(browser(), PHONE);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${app().url}/v/${tokens[1]}`);
  const stv = question(page, 7);
  const tap = (name: string) => stv.getByRole('button', { name: new RegExp(`^${name}[ :]`) }).tap();
  const numbers = async () =>
    Promise.all(
      ['Hana Okafor', 'Ivan Petrov', 'Jo Lindqvist', 'Kemal Aydın', 'Lena Müller-Schmidt'].map((n) =>
        rankSelect(stv, n).inputValue(),
      ),
    );

  await tap('Jo Lindqvist');
  await tap('Hana Okafor');
  await tap('Lena Müller-Schmidt');
  expect(await numbers()).toEqual(['2', '', '1', '', '3']);
  expect(await stv.getByRole('status').textContent()).toBe(
    'Your order: 1. Jo Lindqvist, 2. Hana Okafor, 3. Lena Müller-Schmidt.',
  );
  expect(await stv.getByRole('button', { name: /^Hana Okafor / }).getAttribute('aria-label')).toBe(
    'Hana Okafor Leeds branch: ranked 2; tap to take out',
  );
  await fitsPhone(page, 'voter-paper-tap-to-rank');

  await tap('Hana Okafor'); // out again: the numbers close up
  expect(await numbers()).toEqual(['', '', '1', '', '2']);
  await stv.getByRole('button', { name: 'Undo' }).tap();
  expect(await numbers()).toEqual(['2', '', '1', '', '3']);
  await stv.getByRole('button', { name: 'Clear ranking' }).tap();
  expect(await numbers()).toEqual(['', '', '', '', '']);
  expect(await stv.getByRole('status').textContent()).toBe('Nothing ranked yet.');
  await stv.getByRole('button', { name: 'Undo' }).tap();
  expect(await numbers()).toEqual(['2', '', '1', '', '3']);
  // The selects still work by hand, and a tap continues from there.
  await rankSelect(stv, 'Kemal Aydın').selectOption('4');
  await tap('Ivan Petrov');
  expect(await numbers()).toEqual(['2', '5', '1', '4', '3']);

  // Abstaining on a ranked question clears it; ranking again unticks the abstention.
  const irv = question(page, 6);
  await irv.getByRole('button', { name: /^Gus:/ }).tap();
  await irv.getByLabel('Abstain on this question').check();
  expect(await rankSelect(irv, 'Gus').inputValue()).toBe('');
  await irv.getByRole('button', { name: /^Eve:/ }).tap();
  expect(await irv.getByLabel('Abstain on this question').isChecked()).toBe(false);
  expect(await rankSelect(irv, 'Eve').inputValue()).toBe('1');

  // Up to two marks: the third is refused and the reason is announced.
  const approval = question(page, 3);
  await approval.getByLabel('Housing').check();
  await approval.getByLabel('Wages').check();
  expect(await approval.getByRole('status').textContent()).toBe('2 of 2 marked.');
  await approval.getByLabel('Transport').click();
  expect(await approval.getByLabel('Transport').isChecked()).toBe(false);
  expect(await approval.getByRole('status').textContent()).toBe('You can mark up to 2. Unmark one first.');

  await question(page, 0).getByLabel('No', { exact: true }).check();
  await page.getByRole('button', { name: 'Review my vote' }).click();
  expect(await page.locator('main').innerText()).toMatch(
    /Jo Lindqvist\s+Hana Okafor\s+Lena Müller-Schmidt\s+Kemal Aydın\s+Ivan Petrov/,
  );
  await page.getByRole('button', { name: 'Cast my vote' }).click();
  const code = (await page.locator('.receipt').textContent())!;
  receipts.set(code, {
    [idOf(0)]: { kind: 'choice', option: 1 },
    [idOf(3)]: { kind: 'marks', options: [0, 2] },
    [idOf(6)]: { kind: 'ranking', options: [0] },
    [idOf(7)]: { kind: 'ranking', options: [2, 0, 4, 3, 1] },
    // Everything else was left blank: abstentions.
    ...Object.fromEntries([1, 2, 4, 5, 8, 9, 10].map((i) => [idOf(i), { kind: 'abstain' }])),
  });
  expect(problems).toEqual([]);
  await context.close();
});

test('without JavaScript nothing stops a mark too many or an abstention beside a ranking: the server names both', async () => {
  const context = await newContext(browser(), { ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${app().url}/v/${tokens[2]}`);
  for (const name of ['Housing', 'Transport', 'Wages']) await question(page, 3).getByLabel(name).check();
  await rankSelect(question(page, 6), 'Eve').selectOption('1');
  await question(page, 6).getByLabel('Abstain on this question').check();
  const sent = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Review my vote' }).click();
  expect((await sent).status()).toBe(422);
  const items = await page.getByRole('alert').getByRole('listitem').allInnerTexts();
  expect(items).toEqual([
    '4. Campaign priorities: You marked 3; mark at most 2.',
    '7. Chair: You abstained and also answered. Either untick “Abstain” or clear your answer.',
  ]);
  // Nothing was cast: the link still opens the ballot paper.
  expect((await page.goto(`${app().url}/v/${tokens[2]}`))?.status()).toBe(200);
  await context.close();
});

test('the bulletin board of the closed ballot holds exactly what each member cast', async () => {
  expect(receipts.size).toBe(2);
  const board = await closeAndReadBoard();
  expect(board.size).toBe(2);
  for (const [code, answers] of receipts) expect(board.get(code)).toEqual(answers);
});

test("options in each member's own order (randomiseOptions): stable for a member, different between members, counted by option", async () => {
  const names = ['Ada', 'Ben', 'Cai', 'Dee', 'Eli', 'Fox', 'Gil', 'Hal'];
  const shuffled = await openBallotWithTokens(app(), org, {
    title: 'Shuffled ballot',
    randomiseOptions: true,
    receiptPolicy: 'choices',
    questions: [
      { title: 'Motion', method: 'yesno' },
      { title: 'Committee', method: 'stv', settings: { seats: 2 }, options: names.map((label) => ({ label })) },
    ],
  });
  const context = await newContext(browser(), { ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  const orderSeen = async (token: string) => {
    await page.goto(`${app().url}/v/${token}`);
    return {
      motion: await question(page, 0).locator('label').allInnerTexts(),
      committee: await question(page, 1).locator('label').allInnerTexts(),
    };
  };
  const orders = [];
  for (const token of shuffled.tokens) orders.push(await orderSeen(token));
  for (const o of orders) {
    expect(o.motion).toEqual(['Yes', 'No', 'Abstain (no choice on this question)']); // yes/no keeps its order
    expect([...o.committee].sort()).toEqual([...names, 'Abstain on this question'].sort());
  }
  // Four members, eight options: the chance that all see one order is 1 in 40,320³.
  expect(new Set(orders.map((o) => o.committee.join('|'))).size).toBeGreaterThan(1);
  expect(await orderSeen(shuffled.tokens[0]!)).toEqual(orders[0]);

  // Ranking by name on a shuffled paper records the options themselves.
  await page.goto(`${app().url}/v/${shuffled.tokens[0]}`);
  await rankSelect(question(page, 1), 'Hal').selectOption('1');
  await rankSelect(question(page, 1), 'Ben').selectOption('2');
  await page.getByRole('button', { name: 'Review my vote' }).click();
  await page.getByRole('button', { name: 'Cast my vote' }).click();
  const code = (await page.locator('.receipt').textContent())!;
  expect((await org.json('POST', `/api/v1/ballots/${shuffled.ballot.id}/close`)).status).toBe(204);
  const board = await org.json<{ receipts: Array<{ receipt: string; answers: Record<string, Answer> }> }>(
    'GET',
    `/api/v1/ballots/${shuffled.ballot.id}/board`,
  );
  const mine = board.body.receipts.find((r) => r.receipt === code);
  expect(mine?.answers[shuffled.ballot.questions[1]!.id]).toEqual({ kind: 'ranking', options: [7, 1] });
  await context.close();
});
