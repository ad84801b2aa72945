import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readEml } from '../../src/mail/eml';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { axeContext, axeViolations, describeViolations, launchBrowser } from '../support/browser';
import { startSmtpSink, waitFor } from '../support/smtp';

/**
 * The guards on mass actions, in a real Chromium with axe-core on each page: a double click on
 * "send the reminder now" mails each member once (counted at a real SMTP sink).
 */
const EMAIL = 'olive.guards@example.org';
const PASSWORD = 'correct horse battery staple'; // setUpOrganisation's

let app: TestApp;
let browser: Browser;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let org: Client;

beforeAll(async () => {
  smtp = await startSmtpSink();
  [app, browser] = await Promise.all([startTestApp({ smtpUrl: smtp.url }), launchBrowser()]);
  org = await setUpOrganisation(app, 'Guarded Union', EMAIL);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
});

async function signedIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${app.url}/signin`);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${app.url}/`);
  return page;
}

const reminders = () => smtp.received.filter((m) => readEml(m.raw).subject.startsWith('Reminder:'));

test('a double click on "send the reminder now" mails each member who has not voted once', async () => {
  const csv = ['email,name,branch', ...Array.from({ length: 6 }, (_, i) => `g${i}@example.org,G ${i},North`)].join(
    '\n',
  );
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const b = await org.json('POST', '/api/v1/ballots', {
    title: 'Double click',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
  });
  expect((await org.json('POST', `/api/v1/ballots/${b.body.id}/open`)).status).toBe(200);

  const context = await axeContext(browser);
  const page = await signedIn(context);
  await page.goto(`${app.url}/ballots/${b.body.id}/invitations`);
  // The confirmation names the count.
  const confirm = page.getByLabel('Send a reminder to 6 members who have not voted');
  expect(describeViolations('invitations with the reminder form', await axeViolations(page))).toBe('');
  await confirm.check();
  await page.getByRole('button', { name: 'Send the reminder now' }).dblclick();
  await page.waitForURL(/done=reminders/);
  // The page now shows when the cooldown ends instead of the form.
  await expect(page.locator('#reminder-cooldown').textContent()).resolves.toMatch(/Another can be sent by hand from/);
  expect(describeViolations('invitations in the cooldown', await axeViolations(page))).toBe('');

  await waitFor('six reminders at the sink', async () => (reminders().length >= 6 ? true : undefined));
  await waitFor('an empty queue', async () => {
    const p = (await org.json('GET', `/api/v1/ballots/${b.body.id}/invitations`)).body.progress.reminder;
    return p.queued + p.sending === 0 ? true : undefined;
  });
  expect(reminders()).toHaveLength(6);
  expect(new Set(reminders().map((m) => m.to[0])).size).toBe(6);
  await context.close();
});
