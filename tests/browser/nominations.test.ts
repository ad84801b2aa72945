import type { BrowserContext, Page } from 'playwright-core';
import { type Client, proposalLinkOf } from '../support/app';
import {
  axeContext,
  axeViolations,
  describeViolations,
  DESKTOP,
  overflowsSideways,
  PHONE,
  screenshot,
} from '../support/browser';
import { waitFor } from '../support/smtp';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * Elections with nominations in a real Chromium, without any script: a member nominates
 * another from their nominations page (by address, then a second nomination of the same
 * nominee is refused with a message on the page); the nominee, from the link mailed to them,
 * accepts with a statement and their group (an empty statement is refused on the page
 * first); the public election page shows the statement and the count. axe-core finds
 * nothing on any of them, at phone and desktop widths.
 */
let org: Client;
let phone: BrowserContext;
let desktop: BrowserContext;

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  org = await organisationWithRoll(app(), 6, 'Nominations Union');
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

async function accessible(page: Page, name: string): Promise<void> {
  expect(await page.locator('script').count()).toBe(0);
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

test("a member's nomination page and the nominee's acceptance page", async () => {
  const created = await org.json('POST', '/api/v1/elections', {
    title: 'Branch Committee',
    seats: 2,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    threshold: { members: 1, branches: null },
    statementMax: 200,
    groups: [{ group: 'women', min: 1 }],
  });
  expect(created.status).toBe(201);
  const electionId = created.body.id as string;
  const m0 = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id'])
    .where('email', '=', 'm0@example.org')
    .executeTakeFirstOrThrow();
  const token = await proposalLinkOf(app().db, m0);

  for (const context of [phone, desktop]) {
    const page = await context.newPage();
    expect((await page.goto(`${app().url}/p/${token}/elections`))?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Nominations');
    await accessible(page, 'member nominations page');
    await page.close();
  }
  // Reached from the member's proposals page.
  const page = await phone.newPage();
  await page.goto(`${app().url}/p/${token}`);
  await page.getByRole('link', { name: 'nominate members' }).click();
  expect(new URL(page.url()).pathname).toBe(`/p/${token}/elections`);
  await screenshot(page, 'nominations-member');
  await page.getByLabel('Nominate a member for “Branch Committee”').fill('m1@example.org');
  await page.getByRole('button', { name: 'Nominate', exact: true }).click();
  expect(await page.getByRole('status').textContent()).toBe(
    'You nominated Member 1. They are mailed a link to accept or decline.',
  );
  await accessible(page, 'member nominations page after nominating');
  // The same nominee again: refused, said on the page.
  await page.getByLabel('Nominate a member for “Branch Committee”').fill('m1@example.org');
  await page.getByRole('button', { name: 'Nominate', exact: true }).click();
  expect(await page.getByRole('alert').textContent()).toBe('you have already nominated Member 1');
  await accessible(page, 'member nominations page with a problem');
  await page.close();

  const mail = await waitFor('the nomination mail', () =>
    smtp().received.find((m) => m.to[0] === 'm1@example.org' && m.raw.replace(/=\r?\n/g, '').includes('/n/')),
  );
  const link = /https?:\/\/[^\s"<>]+\/n\/[A-Za-z0-9_-]{43}/.exec(mail.raw.replace(/=\r?\n/g, ''))![0];
  const path = new URL(link).pathname;
  for (const context of [phone, desktop]) {
    const p = await context.newPage();
    expect((await p.goto(`${app().url}${path}`))?.status()).toBe(200);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Your nomination: Branch Committee');
    await accessible(p, 'nominee page');
    await p.close();
  }
  const nominee = await phone.newPage();
  await nominee.goto(`${app().url}${path}`);
  await screenshot(nominee, 'nominations-nominee');
  // An empty statement: the browser's own check stops it; posted anyway, the page says so.
  await nominee.getByLabel('Your statement to the members').fill('   ');
  await nominee.getByRole('checkbox', { name: 'women' }).check();
  await nominee.getByRole('button', { name: 'Accept the nomination' }).click();
  expect(await nominee.getByRole('alert').textContent()).toContain('statement: write a statement for the members');
  expect(await nominee.getByRole('checkbox', { name: 'women' }).isChecked()).toBe(true);
  await accessible(nominee, 'nominee page with a problem');
  await nominee.getByLabel('Your statement to the members').fill('I will keep the branch informed.');
  await nominee.getByRole('button', { name: 'Accept the nomination' }).click();
  expect(await nominee.getByRole('status').textContent()).toBe('You have accepted the nomination. Thank you.');
  expect(await nominee.locator('main').innerText()).toContain('You have accepted');
  await accessible(nominee, 'nominee page after accepting');
  await nominee.close();

  const pub = await desktop.newPage();
  expect((await pub.goto(`${app().url}/elections/${electionId}`))?.status()).toBe(200);
  const text = await pub.locator('main').innerText();
  expect(text).toContain('I will keep the branch informed.');
  expect(text).toContain('Member 1 (South), women: 1 member’s nominations');
  expect(text).not.toContain('Member 0');
  await accessible(pub, 'public election page');
  await pub.close();
});
