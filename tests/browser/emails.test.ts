import type { Browser, Page } from 'playwright-core';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { postVote, tokensOf } from '../support/integrity';
import { signIn } from './helpers';
import { axeContext, axeViolations, describeViolations, DESKTOP, launchBrowser, screenshot } from '../support/browser';

/**
 * In a real Chromium, with axe-core on each page: a ballot's emails page (its own wording
 * saved, a bad placeholder refused next to its field, the preview showing the new text);
 * the member search offering each member only the action that fits; and after an early
 * close, the ballot list and an unused link's page showing the actual closing time; the
 * receipt page's copy and print buttons; the bulletin board's receipt search without JavaScript.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const EMAIL = 'olive.emails@example.org';
const PASSWORD = 'correct horse battery staple'; // setUpOrganisation's

let app: TestApp;
let browser: Browser;
let org: Client;
let page: Page;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  org = await setUpOrganisation(app, 'Emails Union', EMAIL);
  const csv = ['email,name,branch', ...Array.from({ length: 6 }, (_, i) => `e${i}@example.org,Member ${i},North`)].join(
    '\n',
  );
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  page = await (await axeContext(browser, DESKTOP)).newPage();
  await signIn(page, app.url, EMAIL, PASSWORD);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test("the emails page: a ballot's own wording, checked, saved and shown as members get it", async () => {
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Rule book',
      ...ballotTimes(),
      questions: [{ title: 'Adopt?', method: 'yesno' }],
    })
  ).body as { id: string };
  await page.goto(`${app.url}/ballots/${ballot.id}`);
  await page.getByRole('link', { name: 'Emails' }).click();
  expect(describeViolations('emails page', await axeViolations(page))).toBe('');

  await page.getByLabel('Subject').first().fill('Vote now {{link}}');
  await page.getByRole('button', { name: 'Save the emails' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.getByRole('alert').textContent()).toContain('{{link}} is not a placeholder');
  // What was typed stays in the form.
  expect(await page.getByLabel('Subject').first().inputValue()).toBe('Vote now {{link}}');
  expect(describeViolations('emails page with a problem', await axeViolations(page))).toBe('');

  await page.getByLabel('Subject').first().fill('Have your say, {{memberName}}');
  await page.getByLabel('Opening paragraph').first().fill('The committee asks you to vote on {{ballotTitle}}.');
  await page.getByLabel(/Contact address/).fill('office@emails.example.org');
  await page.getByRole('button', { name: 'Save the emails' }).click();
  await page.getByRole('status').waitFor();
  expect(await page.getByRole('status').textContent()).toContain('The wording of the emails is saved');
  const body = (await page.locator('main').textContent())!;
  expect(body).toContain('Have your say, Sam Example');
  expect(body).toContain('The committee asks you to vote on Rule book.');
  expect(body).toContain('Questions about this ballot: office@emails.example.org');
  expect(describeViolations('emails page, saved', await axeViolations(page))).toBe('');
  await screenshot(page, 'organiser-emails', true);

  // A test copy, from the same page.
  await page.getByRole('button', { name: 'Send a test reminder to me' }).click();
  await page.getByRole('status').waitFor();
  expect(await page.getByRole('status').textContent()).toContain('A test reminder is on its way');
});

test('member search offers only the action that fits; an early close shows the actual closing time', async () => {
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Early close',
      ...ballotTimes(600),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body as { id: string; closesAt: string };
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  // A member who joins after the ballot opened is not on it.
  expect(
    (await org.json('POST', '/api/v1/members', { email: 'late@example.org', name: 'Late Joiner', branch: 'North' }))
      .status,
  ).toBe(201);

  await page.goto(`${app.url}/ballots/${ballot.id}/invitations`);
  await page.getByLabel('Find the member').fill('example.org');
  await page.getByRole('button', { name: 'Find' }).click();
  const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
  expect(await row('Member 1').getByRole('button', { name: 'Send a new link' }).count()).toBe(1);
  expect(await row('Member 1').getByRole('button', { name: 'Add to this ballot' }).count()).toBe(0);
  expect(await row('Late Joiner').getByRole('button', { name: 'Add to this ballot' }).count()).toBe(1);
  expect(await row('Late Joiner').getByRole('button', { name: 'Send a new link' }).count()).toBe(0);

  const [unused, voter1, byPage] = await tokensOf(app.db, ballot.id, SECRET);

  // The receipt page: with JavaScript, copy and print buttons; printed, no buttons; without JavaScript, none shown.
  const member = await axeContext(browser, DESKTOP);
  await member.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const paper = await member.newPage();
  await paper.goto(`${app.url}/v/${byPage!.token}`);
  await paper.getByLabel('Yes', { exact: true }).check();
  await paper.getByRole('button', { name: 'Review my vote' }).click();
  await paper.getByRole('button', { name: 'Cast my vote' }).click();
  const code = (await paper.locator('.receipt').textContent())!.trim();
  await paper.getByRole('button', { name: 'Copy the code' }).click();
  await paper.getByText('Copied.').waitFor();
  expect(await paper.evaluate('navigator.clipboard.readText()')).toBe(code);
  expect(await paper.getByRole('button', { name: 'Print this page' }).isVisible()).toBe(true);
  // Emailing it goes through the member's own mail program (mailto:), with the code, the board and the ballot id.
  const mailto = new URL((await paper.getByRole('link', { name: 'Email the code to yourself' }).getAttribute('href'))!);
  expect(mailto.protocol).toBe('mailto:');
  expect(mailto.searchParams.get('body')).toContain(code);
  expect(mailto.searchParams.get('body')).toContain(`${app.url}/board/${ballot.id}`);
  expect(describeViolations('receipt page', await axeViolations(paper))).toBe('');
  await screenshot(paper, 'voter-receipt-buttons', true);
  await paper.emulateMedia({ media: 'print' });
  expect(await paper.getByRole('button', { name: 'Print this page' }).isVisible()).toBe(false);
  expect(await paper.getByRole('link', { name: 'Email the code to yourself' }).isVisible()).toBe(false);
  expect(await paper.locator('.receipt').isVisible()).toBe(true);
  await member.close();

  const b = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body as { questions: Array<{ id: string }> };
  const cast = await postVote(app.url, voter1!.token, { [b.questions[0]!.id]: { kind: 'choice', option: 0 } });
  expect(cast.status).toBe(201);
  const receipt = cast.body.receipt!;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const closed = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body as { closedAt: string; closesAt: string };
  const minute = (iso: string) => iso.slice(11, 16);
  expect(minute(closed.closedAt)).not.toBe(minute(closed.closesAt));

  await page.goto(`${app.url}/`);
  const listed = (await page.getByRole('row', { name: /Early close/ }).textContent())!;
  expect(listed).toContain(minute(closed.closedAt));
  expect(listed).not.toContain(minute(closed.closesAt));

  const voter = await page.context().browser()!.newContext();
  const linkPage = await voter.newPage();
  await linkPage.goto(`${app.url}/v/${unused!.token}`);
  const said = (await linkPage.locator('main').textContent())!;
  expect(said).toContain(minute(closed.closedAt));
  expect(said).not.toContain(minute(closed.closesAt));

  // The bulletin board's receipt search works without JavaScript: a GET form, the code as typed.
  const still = await browser.newContext({ ...DESKTOP, javaScriptEnabled: false });
  const board = await still.newPage();
  await board.goto(`${app.url}/board/${ballot.id}`);
  await board.getByLabel('Your receipt code').fill(receipt.toLowerCase().replace(/-/g, ' '));
  await board.getByRole('button', { name: 'Find my receipt' }).click();
  expect(board.url()).toContain('receipt=');
  expect(await board.getByRole('status').textContent()).toContain(`Found: receipt ${receipt} is on the board`);
  const found = board.url();
  await board.getByLabel('Your receipt code').fill('AAAAA-BBBBB-CCCCC');
  await board.getByRole('button', { name: 'Find my receipt' }).click();
  expect(await board.getByRole('status').textContent()).toContain('Receipt AAAAA-BBBBB-CCCCC is not on the board');
  await still.close();
  const checked = await (await axeContext(browser, DESKTOP)).newPage();
  await checked.goto(found);
  expect(describeViolations('board, found', await axeViolations(checked))).toBe('');
  await checked.context().close();
  await voter.close();
});
