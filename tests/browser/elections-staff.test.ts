import type { BrowserContext, Page } from 'playwright-core';
import { sql } from 'kysely';
import { ballotTimes, Client, proposalLinkOf, setUpOrganisation } from '../support/app';
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
import { browserAndAppPerFile, signedInPage } from './helpers';

/**
 * The office's Elections page in a real Chromium, signed in through the sign-in form and
 * reached from the staff navigation: a form with mistakes comes back with each field's
 * problem beside it (and what was typed kept); set right, the election is listed with its
 * rules; when nominations have closed, a time the new-ballot form cannot read is refused
 * saying so, and the election goes on a chosen draft ballot. axe-core finds nothing on any
 * of these pages, at phone and desktop widths.
 */
const EMAIL = 'olive.elections@example.org';
let org: Client;
let phone: BrowserContext;
let desktop: BrowserContext;

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Elections Staff Union', EMAIL);
  const roll = ['email,name,branch', ...[0, 1, 2, 3, 4].map((i) => `e${i}@example.org,Member ${i},North`)].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

async function accessible(page: Page, name: string): Promise<void> {
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

/** A time as the form takes it, in UTC: "2026-12-06 18:00". */
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const unwrap = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

test('set an election from the Elections page, see it listed, and put it on a draft ballot once nominations close', async () => {
  for (const context of [phone, desktop]) {
    const page = await signedInPage(app(), context, EMAIL);
    await page.getByRole('link', { name: 'Elections', exact: true }).click();
    expect(new URL(page.url()).pathname).toBe('/elections');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Elections');
    expect(await page.locator('main').innerText()).toContain('No election yet.');
    await accessible(page, 'elections page');
    await page.close();
  }

  const page = await signedInPage(app(), phone, EMAIL);
  await page.goto(`${app().url}/elections`);
  // Mistakes: each is said beside its field and in the summary; what was typed stays.
  await page.getByLabel('Seats').fill('two');
  await page.getByLabel('Nominations close (UTC)').fill('tomorrow');
  await page.getByLabel('Balance rules').fill('women; at lest 1');
  await page.getByLabel('About the election').fill('Two seats, for a year.');
  const refused = page.waitForResponse((r) => r.url().endsWith('/elections') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Set the election and mail the members' }).click();
  expect((await refused).status()).toBe(422);
  const summary = await page.getByRole('alert').innerText();
  expect(summary).toContain('There is a problem');
  expect(summary).toContain('Seats: "two" is not a whole number');
  expect(summary).toContain('Nominations close');
  expect(summary).toContain('line 1: "at lest 1" is not "at least N" or "at most N"');
  expect(await page.getByLabel('Seats').getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#seats-error').textContent()).toBe('"two" is not a whole number');
  expect(await page.getByLabel('About the election').inputValue()).toBe('Two seats, for a year.');
  await screenshot(page, 'elections-staff-problem');
  await accessible(page, 'elections page with problems');

  // No title and no threshold: the schema's own messages, on their fields.
  await page.getByLabel('Seats').fill('2');
  await page.getByLabel('Nominations open (UTC)').fill(utc(Date.now() - 3_600_000));
  await page.getByLabel('Nominations close (UTC)').fill(utc(Date.now() + 86_400_000));
  await page.getByLabel('Balance rules').fill('women; at least 1');
  await page.getByRole('button', { name: 'Set the election and mail the members' }).click();
  expect(await page.locator('#title-error').count()).toBe(1);
  expect(await page.locator('#membersNeeded-error').textContent()).toContain('set at least one threshold');
  await accessible(page, 'elections page with schema problems');

  await page.getByLabel('The committee').fill('Branch Committee');
  await page.getByLabel('Members’ nominations a nominee needs').fill('1');
  await page.getByLabel('STV rules').selectOption('ers97');
  await page.getByRole('button', { name: 'Set the election and mail the members' }).click();
  expect(await page.getByRole('status').textContent()).toContain('The election is set.');
  const row = await page.getByRole('row', { name: /Branch Committee/ }).innerText();
  expect(row).toContain('Nominations are open');
  expect(row).toContain('ERS97 rules');
  await accessible(page, 'elections page with an election');

  // Three members nominated and accepting (through the API and their mailed links).
  const election = (await org.json('GET', '/api/v1/elections')).body[0] as { id: string; rules: string };
  expect(election.rules).toBe('ers97');
  const m0 = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id'])
    .where('email', '=', 'e0@example.org')
    .executeTakeFirstOrThrow();
  const token = await proposalLinkOf(app().db, m0);
  const visitor = new Client(app().url);
  for (const i of [1, 2, 3]) {
    const email = `e${i}@example.org`;
    expect(
      (
        await visitor.json('POST', `/api/v1/member/elections/${election.id}/nominations`, {
          token,
          nominee: { email },
        })
      ).status,
    ).toBe(201);
    const mail = await waitFor(`the nomination mailed to ${email}`, () =>
      smtp().received.find((m) => m.to[0] === email && unwrap(m.raw).includes('/n/')),
    );
    const link = /\/n\/([A-Za-z0-9_-]{43})/.exec(unwrap(mail.raw))![1]!;
    expect(
      (await visitor.json('PUT', '/api/v1/nominee/answer', { token: link, accept: true, statement: `Member ${i}.` }))
        .status,
    ).toBe(200);
  }
  const draft = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Spring ballot',
      ...ballotTimes(24 * 60),
      questions: [{ title: 'Adopt the rule book?', method: 'yesno' }],
    })
  ).body as { id: string };
  // The clock moves on: nominations close (the table's trigger keeps the rules from anyone else).
  await app()
    .db.transaction()
    .execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update elections set closes_at = now() - interval '1 second' where id = ${election.id}`.execute(tx);
    });

  await page.goto(`${app().url}/elections`);
  expect(await page.getByRole('row', { name: /Branch Committee/ }).innerText()).toContain('Nominations have closed');
  expect(await page.getByRole('heading', { name: 'Nominations closed' }).count()).toBe(1);
  await accessible(page, 'elections page with a closed election');
  // A time the new-ballot form cannot read: refused, saying which.
  await page.getByLabel('Voting opens (UTC)').fill('next week');
  await page.getByRole('button', { name: 'Make a draft ballot with “Branch Committee”' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('Voting opens');
  await accessible(page, 'elections page refusal');
  await page.goto(`${app().url}/elections`);
  await page.getByLabel('Draft ballot').selectOption(draft.id);
  await page.getByRole('button', { name: 'Put “Branch Committee” on this ballot' }).click();
  expect(new URL(page.url()).pathname).toBe(`/ballots/${draft.id}`);
  expect(await page.getByRole('status').textContent()).toContain('The election is on this ballot');
  const ballot = (await org.json('GET', `/api/v1/ballots/${draft.id}`)).body;
  expect(ballot.questions[1]).toMatchObject({ title: 'Branch Committee', method: 'stv' });
  expect(ballot.questions[1].settings).toMatchObject({ seats: 2, rules: 'ers97' });
  await page.goto(`${app().url}/elections`);
  expect(await page.getByRole('row', { name: /Branch Committee/ }).innerText()).toContain('On a ballot');
  await accessible(page, 'elections page with a scheduled election');
  await page.close();
});
