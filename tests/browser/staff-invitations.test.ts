import { Client, setUpOrganisation } from '../support/app';
import { waitFor } from '../support/smtp';
import { browserAndAppPerFile, signIn } from './helpers';
import { axeContext, axeViolations, describeViolations, DESKTOP, screenshot } from '../support/browser';

/**
 * The staff page lists invitations not yet taken up, and an organiser can revoke one: its
 * link stops working at once, and the log records it. In a real Chromium, with axe-core.
 */

const EMAIL = 'olive.staff@example.org';
const PASSWORD = 'correct horse battery staple'; // setUpOrganisation's

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
test('pending staff invitations are listed, and a revoked one no longer works', async () => {
  const org = await setUpOrganisation(app(), 'Staff Union', EMAIL);
  for (const email of ['aud@example.org', 'keep@example.org'])
    expect((await org.json('POST', '/api/v1/staff-invitations', { email, role: 'auditor' })).status).toBe(202);
  const mail = await waitFor('the invitation', () => smtp().received.find((m) => m.to[0] === 'aud@example.org'));
  const token = /\/setup\/([A-Za-z0-9_-]{43})/.exec(mail.raw.replace(/=\r?\n/g, ''))![1]!;

  const page = await (await axeContext(browser(), DESKTOP)).newPage();
  await signIn(page, app().url, EMAIL, PASSWORD);
  await page.goto(`${app().url}/staff`);
  const pending = page.locator('table', { has: page.getByRole('columnheader', { name: 'Link works until' }) });
  expect(await pending.getByRole('row', { name: /aud@example\.org/ }).count()).toBe(1);
  expect(await pending.getByRole('row', { name: /keep@example\.org/ }).count()).toBe(1);
  expect(describeViolations('staff page with pending invitations', await axeViolations(page))).toBe('');
  await screenshot(page, 'organiser-staff-pending', true);
  // The page never shows the link itself.
  expect(await page.content()).not.toContain(token);

  await pending
    .getByRole('row', { name: /aud@example\.org/ })
    .getByRole('button', { name: 'Revoke' })
    .click();
  await page.getByRole('status').waitFor();
  expect(await page.getByRole('status').textContent()).toContain('The invitation is revoked');
  expect(await pending.getByRole('row', { name: /aud@example\.org/ }).count()).toBe(0);
  expect(await pending.getByRole('row', { name: /keep@example\.org/ }).count()).toBe(1);

  const joined = await new Client(app().url).json('POST', '/api/v1/setup', {
    setupToken: token,
    name: 'Audrey',
    password: 'a long auditor password',
  });
  expect(joined.status).toBe(404);
  const log = (await org.json('GET', '/api/v1/audit-log')).body as { entries: Array<{ action: string }> };
  expect(log.entries.map((e) => e.action)).toContain('staff.invite.revoke');
  await page.context().close();
});
