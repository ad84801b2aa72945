import { readEml } from '../../src/mail/eml';
import { Client, setUpOrganisation } from '../support/app';
import { waitFor } from '../support/smtp';
import { axeContext, axeViolations, describeViolations, DESKTOP, screenshot } from '../support/browser';
import { browserAndAppPerFile } from './helpers';

/**
 * "Forgot password", in a real Chromium with axe-core on each page and the email through a
 * real SMTP server on loopback: the answer is the same for any address; the link works
 * once; the new password signs the account out everywhere; the log records it; the token
 * never appears in a URL the browser is sent to after the form.
 */

const EMAIL = 'olive.forgot@example.org';
const NEW_PASSWORD = 'a brand new long password';

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
test('forgot password: same answer for any address, a one-time link, sessions ended, logged', async () => {
  const org = await setUpOrganisation(app(), 'Forgot Union', EMAIL);
  expect((await org.json('GET', '/api/v1/ballots')).status).toBe(200);

  const page = await (await axeContext(browser(), DESKTOP)).newPage();
  await page.goto(`${app().url}/signin`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  expect(describeViolations('forgot password', await axeViolations(page))).toBe('');
  await screenshot(page, 'forgot-password', true);
  const ask = async (email: string) => {
    await page.goto(`${app().url}/forgot`);
    await page.getByLabel('Your email address').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('status').waitFor();
    return page.getByRole('status').textContent();
  };
  const unknown = await ask('nobody@example.org');
  const known = await ask(EMAIL);
  expect(known).toBe(unknown);
  expect(known).toContain('If an account has this address');
  expect(describeViolations('forgot password, sent', await axeViolations(page))).toBe('');

  const mail = await waitFor('the reset email', () => smtp().received.find((m) => m.to[0] === EMAIL));
  expect(smtp().received.some((m) => m.to[0] === 'nobody@example.org')).toBe(false);
  const link = /https?:\/\/[^\s"<>]+\/reset\/[A-Za-z0-9_-]{43}/.exec(readEml(mail.raw).text)![0];
  const token = link.split('/reset/')[1]!;

  await page.goto(link);
  expect(describeViolations('choose a new password', await axeViolations(page))).toBe('');
  await page.getByLabel('New password').fill('short');
  // The browser's own check would stop a short one; the server's message is the one tested.
  await page.locator('form').evaluate((f) => f.setAttribute('novalidate', ''));
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.getByRole('alert').textContent()).toContain('at least 12 characters');
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.waitForURL(`${app().url}/signin?reset=done`);
  expect(page.url()).not.toContain(token);
  expect(await page.getByRole('status').textContent()).toContain('Your password is changed');

  // Every earlier session has ended; the new password signs in; the link is spent.
  expect((await org.json('GET', '/api/v1/ballots')).status).toBe(401);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${app().url}/`);
  expect((await new Client(app().url).request('GET', `/reset/${token}`)).status).toBe(404);
  const log = (await page.goto(`${app().url}/audit`))!;
  const text = await log.text();
  expect(text).toContain('password.reset-request');
  expect(text).toContain('<code>password.reset</code>');
  expect(text).not.toContain(token);
  await page.context().close();
});
