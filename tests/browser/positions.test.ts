import type { BrowserContext, Page } from 'playwright-core';
import { ballotTimes, type Client } from '../support/app';
import {
  axeContext,
  axeViolations,
  describeViolations,
  DESKTOP,
  overflowsSideways,
  PHONE,
  screenshot,
} from '../support/browser';
import { tokensOf } from '../support/integrity';
import { waitFor } from '../support/smtp';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * Branch positions in a real Chromium: the secretary's page (no script at all) records the
 * meeting's position and attendance from the link mailed to them, refuses an attendance that
 * is not a number with a message on the page, and after opening shows the position as fixed;
 * a North member's voting page says what their branch meeting supported. axe-core finds
 * nothing on either, at phone and desktop widths.
 */
let org: Client;
let phone: BrowserContext;
let desktop: BrowserContext;

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  org = await organisationWithRoll(app(), 4, 'Positions Union');
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

async function accessible(page: Page, name: string, scriptFree = true): Promise<void> {
  if (scriptFree) expect(await page.locator('script').count()).toBe(0);
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

test("the secretary records the meeting's position on their page; a member sees it on the voting page", async () => {
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Autumn ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the rule book?', method: 'yesno' }],
    })
  ).body as { id: string };
  const named = await org.json('PUT', '/api/v1/branch-secretaries', {
    branch: 'North',
    name: 'Nora Secretary',
    email: 'nora@example.org',
  });
  expect(named.status).toBe(200);
  const mail = await waitFor('the secretary link', () => smtp().received.find((m) => m.to[0] === 'nora@example.org'));
  const link = /https?:\/\/[^\s"<>]+\/s\/[A-Za-z0-9_-]{43}/.exec(mail.raw.replace(/=\r?\n/g, ''))![0];
  const path = new URL(link).pathname;

  const page = await phone.newPage();
  expect((await page.goto(`${app().url}${path}`))?.status()).toBe(200);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('North branch: meeting positions');
  await accessible(page, 'secretary page');
  await screenshot(page, 'secretary-page');

  // Not a number: the page says so, nothing is recorded.
  await page.getByRole('radio', { name: 'Yes' }).check();
  await page.getByLabel('How many attended the meeting').fill('many');
  await page.getByRole('button', { name: 'Record the position on “Adopt the rule book?”' }).click();
  expect(await page.getByRole('alert').textContent()).toContain('give a whole number');
  await accessible(page, 'secretary page with a problem');

  await page.getByRole('radio', { name: 'Yes' }).check();
  await page.getByLabel('How many attended the meeting').fill('23');
  await page.getByRole('button', { name: 'Record the position on “Adopt the rule book?”' }).click();
  expect(await page.getByRole('status').textContent()).toBe('Recorded: the meeting (23 present) supported: Yes.');
  expect(await page.getByRole('radio', { name: 'Yes' }).isChecked()).toBe(true);
  expect(await page.getByLabel('How many attended the meeting').inputValue()).toBe('23');
  await accessible(page, 'secretary page after recording');

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  await page.reload();
  expect(await page.locator('main').innerText()).toContain(
    'Adopt the rule book?: the meeting (23 present) supported: Yes',
  );
  expect(await page.getByRole('button').count()).toBe(0);
  await page.close();

  const tokens = await tokensOf(app().db, ballot.id, 'test-secret-0123456789-0123456789-abcdef');
  const north = tokens.find((t) => t.branch === 'North')!.token;
  const south = tokens.find((t) => t.branch === 'South')!.token;
  for (const context of [phone, desktop]) {
    const paper = await context.newPage();
    expect((await paper.goto(`${app().url}/v/${north}`))?.status()).toBe(200);
    expect(await paper.locator('main').innerText()).toContain('Your branch meeting (North, 23 present) supported: Yes');
    await accessible(paper, 'voting page with the branch position', false);
    if (context === phone) await screenshot(paper, 'voting-branch-position');
    await paper.close();
  }
  const other = await phone.newPage();
  await other.goto(`${app().url}/v/${south}`);
  expect(await other.locator('main').innerText()).not.toContain('Your branch meeting');
  await other.close();

  // Both vote, the ballot closes and is published: the public results set North's position beside its votes.
  for (const [token, option] of [
    [north, 0],
    [south, 1],
  ] as const) {
    const questionId = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions[0].id as string;
    const r = await org.json('POST', '/api/v1/vote', { token, answers: { [questionId]: { kind: 'choice', option } } });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/publish`)).status).toBeLessThan(300);
  for (const context of [phone, desktop]) {
    const results = await context.newPage();
    expect((await results.goto(`${app().url}/results/${ballot.id}`))?.status()).toBe(200);
    expect(await results.getByRole('heading', { name: 'Branch meetings’ positions' }).count()).toBe(1);
    expect(await results.locator('main').innerText()).toContain(
      'No branch meeting’s position could be compared with its members’ votes.',
    );
    expect(describeViolations('results with branch positions', await axeViolations(results))).toBe('');
    if (context === phone) await screenshot(results, 'results-branch-positions');
    await results.close();
  }
});
