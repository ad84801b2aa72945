import type { BrowserContext, Locator, Page } from 'playwright-core';
import { type Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext, screenshotOf } from '../support/browser';
import { browserAndAppPerFile, signedInPage } from './helpers';

/**
 * The ballot builder in a real Chromium: with the script, adding, removing and moving options
 * and changing a method swap the form in place (no page load, under the real CSP); without
 * JavaScript the same buttons reload the page and keep every value. Pasted candidates become
 * options either way. Mistakes come back in plain words, and a UK organiser's dates are read
 * as day/month/year. axe-core on each state of the page.
 */

const EMAIL = 'olive.builder@example.org';

let org: Client;

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Builder Union', EMAIL);
});

const group = (page: Page | Locator, name: string) => page.getByRole('group', { name, exact: true });

const signedIn = (context: BrowserContext): Promise<Page> => signedInPage(app(), context, EMAIL);

/** Counts the page loads from now on (a swap in place is none). */
function loadsOf(page: Page): () => number {
  let loads = 0;
  page.on('load', () => {
    loads++;
  });
  return () => loads;
}

/** Saves the draft (an ordinary submit) and returns it as the API has it. */
async function saveDraft(page: Page): Promise<{
  questions: Array<{ method: string; options: Array<{ label: string }> }>;
  opensAt: string;
  closesAt: string;
}> {
  await page.getByRole('button', { name: 'Save the draft' }).last().click();
  await page.waitForURL(/\/ballots\/[0-9a-f-]+\?done=created/);
  const id = /\/ballots\/([0-9a-f-]+)/.exec(page.url())![1]!;
  return (await org.json('GET', `/api/v1/ballots/${id}`)).body;
}

/** What the page functions below use of the DOM (the tests compile without its types; the CSP forbids strings). */
type InPage = {
  document: { activeElement: { id: string } | null; getElementById(id: string): { value: string } | null };
};

const optionValues = (q: Locator) =>
  q
    .locator('input[id$="_label"]')
    .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));

test('with JavaScript: method, add, move, remove and paste without a page load, under the CSP', async () => {
  const context = await newContext(browser(), DESKTOP);
  const page = await signedIn(context);
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') refused.push(m.text());
  });
  try {
    await page.goto(`${app().url}/ballots/new`);
    const loads = loadsOf(page);
    await page.getByLabel('Title of the ballot').fill('Committee election');
    const q1 = group(page, 'Question 1');
    await q1.getByLabel('The question').fill('Who should sit on the committee?');
    await q1.getByLabel('How it is decided').selectOption('plurality');
    await q1.getByLabel('Option 2', { exact: true }).waitFor();
    await q1.getByLabel('Option 1', { exact: true }).fill('Ann');
    await q1.getByLabel('Option 2', { exact: true }).fill('Bob');

    await q1.getByRole('button', { name: 'Add an option to question 1' }).click();
    const third = q1.getByLabel('Option 3', { exact: true });
    await third.waitFor();
    // Focus is on the new row, ready to type; what was typed before is kept.
    await page.waitForFunction(() => (globalThis as unknown as InPage).document.activeElement?.id === 'q0_o2_label');
    await page.keyboard.type('Cat');
    expect(await optionValues(q1)).toEqual(['Ann', 'Bob', 'Cat']);
    expect(await page.getByLabel('Title of the ballot').inputValue()).toBe('Committee election');

    await q1.getByRole('button', { name: 'Move down (option 1 of question 1)' }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.getElementById('q0_o0_label')?.value === 'Bob',
    );
    expect(await optionValues(q1)).toEqual(['Bob', 'Ann', 'Cat']);
    await q1.getByRole('button', { name: 'Remove (option 2 of question 1)' }).click();
    await page.locator('#q0_o2_label').waitFor({ state: 'detached' });
    expect(await optionValues(q1)).toEqual(['Bob', 'Cat']);

    await q1.getByLabel('Paste options, one per line').fill('Dee\n\n  Eve  \nFay\tTreasurer for six years\n');
    await q1.getByRole('button', { name: 'Add the pasted options to question 1' }).click();
    await page.locator('#q0_o4_label').waitFor();
    expect(await optionValues(q1)).toEqual(['Bob', 'Cat', 'Dee', 'Eve', 'Fay']);
    expect(await q1.getByLabel('Short statement for option 5 (optional)').inputValue()).toBe('Treasurer for six years');
    expect(await q1.getByLabel('Paste options, one per line').inputValue()).toBe('');
    await screenshotOf(q1, 'organiser-builder-pasted', true);

    // A second question, then back to a motion: still in place.
    await page.getByRole('button', { name: 'Add another question' }).click();
    await group(page, 'Question 2').waitFor();
    expect(await page.locator('#builder-status').textContent()).toContain('Add another question');
    expect(loads()).toBe(0);
    expect(page.url()).toBe(`${app().url}/ballots/new`);
    expect(refused).toEqual([]);

    // Saving is an ordinary submit: the draft holds what the page showed.
    await group(page, 'Question 2').getByLabel('The question').fill('Adopt the accounts?');
    const saved = await saveDraft(page);
    expect(saved.questions[0]!.options.map((o) => o.label)).toEqual(['Bob', 'Cat', 'Dee', 'Eve', 'Fay']);
    expect(saved.questions[1]!.method).toBe('yesno');
  } finally {
    await context.close();
  }
});

test('without JavaScript: the same buttons reload the page and keep every value; pasted lines too', async () => {
  const context = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  const page = await signedIn(context);
  try {
    await page.goto(`${app().url}/ballots/new`);
    const q1 = group(page, 'Question 1');
    await page.getByLabel('Title of the ballot').fill('Offline ballot');
    await q1.getByLabel('How it is decided').selectOption('plurality');
    await q1.getByRole('button', { name: 'Use this method for question 1' }).click();
    await q1.getByLabel('Option 1', { exact: true }).fill('Ann');
    await q1.getByRole('button', { name: 'Add an option to question 1' }).click();
    await page.waitForURL(/#q0_o2_label$/);
    expect(await optionValues(q1)).toEqual(['Ann', '', '']);
    await q1.getByLabel('Paste options, one per line').fill('Bob\nCat\nDee');
    await q1.getByRole('button', { name: 'Add the pasted options to question 1' }).click();
    await page.waitForURL(/#q0_options$/);
    expect(await optionValues(q1)).toEqual(['Ann', 'Bob', 'Cat', 'Dee']);
    expect(await page.getByLabel('Title of the ballot').inputValue()).toBe('Offline ballot');
    // Pasted and saved at once, without pressing "Add the pasted options": nothing is lost.
    await q1.getByLabel('The question').fill('Chair');
    await q1.getByLabel('Paste options, one per line').fill('Eve');
    const saved = await saveDraft(page);
    expect(saved.questions[0]!.options.map((o) => o.label)).toEqual(['Ann', 'Bob', 'Cat', 'Dee', 'Eve']);
  } finally {
    await context.close();
  }
});

test("plain messages for an empty title and closing before opening; a UK organiser's dates", async () => {
  const context = await axeContext(browser(), DESKTOP);
  const page = await signedIn(context);
  try {
    await page.goto(`${app().url}/ballots/new`);
    expect(describeViolations('builder', await axeViolations(page))).toBe('');
    // A swap in place, then axe again: the new form is as accessible as the first.
    const q1 = group(page, 'Question 1');
    await q1.getByLabel('How it is decided').selectOption('stv');
    await q1.getByLabel('Option 2', { exact: true }).waitFor();
    await q1.getByRole('button', { name: 'Add an option to question 1' }).click();
    await q1.getByLabel('Option 3', { exact: true }).waitFor();
    expect(describeViolations('builder, after adding an option', await axeViolations(page))).toBe('');

    await page.getByLabel('Time zone of these times').selectOption('Europe/London');
    await page.getByLabel('Voting opens').fill('05/12/2026 18:00');
    await page.getByLabel('Voting closes').fill('04/12/2026 18:00');
    await q1.getByLabel('The question').fill('Executive');
    await q1.getByLabel('Seats (places to fill)').fill('1');
    await q1.getByLabel('Paste options, one per line').fill('Ann\nBob\nCat');
    await page.getByRole('button', { name: 'Save the draft' }).last().click();
    const summary = page.locator('#error-summary');
    await summary.waitFor();
    const problems = await summary.locator('li').allTextContents();
    expect(problems).toEqual([
      'Title: Write a title',
      'Voting closes: The closing time must be after the opening time',
    ]);
    expect(await page.locator('#title-error').textContent()).toBe('Write a title');
    await screenshotOf(summary, 'organiser-builder-problems', true);
    expect(describeViolations('builder, with problems', await axeViolations(page))).toBe('');

    await page.getByLabel('Title of the ballot').fill('Executive ballot');
    await page.getByLabel('Voting closes').fill('12/12/2026 18:00');
    const saved = await saveDraft(page);
    // 5 December, not 12 May: London writes the day first.
    expect([saved.opensAt, saved.closesAt].map((t) => new Date(t).toISOString())).toEqual([
      '2026-12-05T18:00:00.000Z',
      '2026-12-12T18:00:00.000Z',
    ]);
  } finally {
    await context.close();
  }
});

test('the API says the same plain words', async () => {
  const r = await org.json('POST', '/api/v1/ballots', {
    title: '',
    opensAt: '2026-12-05T18:00:00Z',
    closesAt: '2026-12-04T18:00:00Z',
    questions: [{ title: 'Q', method: 'yesno' }],
  });
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([
    { path: 'title', message: 'Write a title' },
    { path: 'closesAt', message: 'The closing time must be after the opening time' },
  ]);
});
