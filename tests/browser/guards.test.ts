import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import * as electorate from '../../src/data/electorate';
import { readEml } from '../../src/mail/eml';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, type Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, screenshotOf } from '../support/browser';
import { browserAndAppPerFile, signedInPage } from './helpers';
import { waitFor } from '../support/smtp';

/**
 * The guards on mass actions, in a real Chromium with axe-core on each page: a double click on
 * "send the reminder now" mails each member once (counted at a real SMTP sink); a re-import
 * that removes most of the roll needs its loud confirmation; a weighted ballot's results and
 * CSV show decimals, and a two-thirds motion says how far Yes was from two thirds.
 */
const EMAIL = 'olive.guards@example.org';

let org: Client;

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Guarded Union', EMAIL);
});

const signedIn = (context: BrowserContext): Promise<Page> => signedInPage(app(), context, EMAIL);

const reminders = () => smtp().received.filter((m) => readEml(m.raw).subject.startsWith('Reminder:'));

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

  const context = await axeContext(browser());
  const page = await signedIn(context);
  await page.goto(`${app().url}/ballots/${b.body.id}/invitations`);
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

test('a re-import that removes most of the roll needs the loud confirmation; left-out columns are kept', async () => {
  const roll = [
    'email,name,branch,member_number,joined',
    ...Array.from({ length: 20 }, (_, i) => `d${i}@example.org,D ${i},North,${100 + i},2020-01-0${(i % 9) + 1}`),
  ].join('\n');
  const first = await org.json('POST', '/api/v1/roll/import?confirmDestructive=true', roll, {
    'content-type': 'text/csv',
  });
  expect(first.status).toBe(200);

  const context = await axeContext(browser());
  const page = await signedIn(context);
  await page.goto(`${app().url}/roll/import`);
  // Two members, and no member_number or joined column.
  await page
    .getByLabel('Or paste the CSV here')
    .fill('email,name,branch\nd0@example.org,D 0,North\nd1@example.org,D 1,North\n');
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  await page.getByRole('heading', { name: 'This import deletes a lot' }).waitFor();
  await expect(page.locator('#destructive').textContent()).resolves.toContain(
    'It removes 18 of the 20 current members (90%).',
  );
  await expect(page.locator('#kept-columns').textContent()).resolves.toContain(
    'members keep their numbers, weights, joining dates as they are',
  );
  expect(describeViolations('destructive preview', await axeViolations(page))).toBe('');

  // Without the box ticked (as a browser without form validation would send it): refused, nothing changed.
  await page.locator('#confirmDestructive').evaluate((box) => box.removeAttribute('required'));
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await page.getByRole('heading', { name: 'Not done' }).waitFor();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('it removes 18 of the 20 current members');
  expect((await org.json('GET', '/api/v1/members?limit=500')).body).toHaveLength(20);

  await page.goBack();
  await page.getByLabel(/Yes: it removes 18 of the 20 current members/).check();
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await page.getByRole('heading', { name: 'The roll is imported' }).waitFor();
  const left = (await org.json('GET', '/api/v1/members?limit=500')).body as Array<{
    email: string;
    memberNumber: string | null;
    joinedOn: string | null;
  }>;
  expect(left.map((m) => [m.email, m.memberNumber, m.joinedOn]).sort()).toEqual([
    ['d0@example.org', '100', '2020-01-01'],
    ['d1@example.org', '101', '2020-01-02'],
  ]);
  await context.close();
});

test('a weighted ballot: the results page and the CSV show decimals, and the distance to two thirds', async () => {
  const roll = [
    'email,name,branch,weight',
    'w1@example.org,W 1,North,1',
    'w2@example.org,W 2,North,1',
    'w3@example.org,W 3,North,1',
    'w4@example.org,W 4,North,1',
    'half@example.org,Half,North,0.5',
  ].join('\n');
  expect(
    (await org.json('POST', '/api/v1/roll/import?confirmDestructive=true', roll, { 'content-type': 'text/csv' }))
      .status,
  ).toBe(200);
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Weighted',
    ...ballotTimes(),
    questions: [{ title: 'Change the rules?', method: 'yesno', settings: { threshold: '2/3' } }],
  });
  expect(created.status).toBe(201);
  const ballot = created.body as { id: string; questions: Array<{ id: string }> };
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  // Yes: W 1, W 2 and Half (2.5); No: W 3 and W 4 (2). Two thirds of 4.5 is 3: Yes needed 1.5 more.
  const yes = new Set(['w1@example.org', 'w2@example.org', 'half@example.org']);
  for (const v of await electorate.listNonVoters(app().ctx.db, ballot.id)) {
    const token = app().ctx.keys.open(LINK_PURPOSE, v.sealedToken!);
    const option = yes.has(v.email) ? 0 : 1;
    const r = await org.json('POST', '/api/v1/vote', {
      token,
      answers: { [ballot.questions[0]!.id]: { kind: 'choice', option } },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBeLessThan(300);
  // The JSON keeps the exact values.
  const json = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  expect(json.questions[0].options).toEqual([
    { option: 'Yes', votes: '5/2' },
    { option: 'No', votes: '2' },
  ]);

  const context = await axeContext(browser(), DESKTOP);
  const page = await signedIn(context);
  await page.goto(`${app().url}/ballots/${ballot.id}/results`);
  const section = page.locator('section', { hasText: 'Change the rules?' });
  await expect(section.textContent()).resolves.toContain(
    'Yes 2.5, No 2, of 4.5 votes cast; two thirds needed (3). Yes needed 1.5 more votes for two thirds of the votes cast.',
  );
  await expect(section.getByRole('row', { name: /^Yes/ }).first().textContent()).resolves.toContain('2.5');
  // No fraction of votes anywhere, and the rule in words (the engine's own note says "at least 2/3").
  expect(await section.textContent()).not.toMatch(/5\/2|9\/2/);
  await expect(section.textContent()).resolves.toContain(
    'The proposal carries with at least two thirds of the votes cast (Yes + No) and more Yes than No;',
  );
  expect(await section.textContent()).not.toContain('at least 2/3');
  expect(describeViolations('weighted results', await axeViolations(page))).toBe('');
  const shot = await screenshotOf(section, 'organiser-results-two-thirds');
  fs.copyFileSync(shot, path.resolve(__dirname, '../../docs/screenshots/organiser-results-two-thirds.png'));

  const csv = await (await page.request.get(`${app().url}/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('1,Change the rules?,yesno,(all),Yes,votes,2.5,no\r\n');
  expect(csv).toContain('1,Change the rules?,yesno,(all),(votes short of two thirds),margin,1.5,\r\n');
  expect(csv).not.toContain('/');
  await context.close();
});

test('a typo in the branch filter is refused with its nearest match, and the import flags near-duplicate names', async () => {
  const roll = 'email,name,branch\nl1@example.org,L 1,Leeds\nb1@example.org,B 1,Bristol\n';
  expect(
    (await org.json('POST', '/api/v1/roll/import?confirmDestructive=true', roll, { 'content-type': 'text/csv' }))
      .status,
  ).toBe(200);
  const context = await axeContext(browser(), DESKTOP);
  const page = await signedIn(context);
  await page.goto(`${app().url}/ballots/new`);
  await page.getByLabel('Title of the ballot').fill('Leeds only');
  const q1 = page.getByRole('group', { name: 'Question 1', exact: true });
  await q1.getByLabel('The question').fill('Agree?');
  await q1.getByLabel('How it is decided').selectOption('yesno');
  // The roll's branches with members are boxes to tick (North, emptied by the last import, is not): nothing to mistype.
  const boxes = page.getByRole('group', { name: 'Only members of these branches' });
  await expect(
    boxes.getByRole('checkbox').evaluateAll((xs) => xs.map((x) => x.getAttribute('value'))),
  ).resolves.toEqual(['Bristol', 'Leeds']);
  // A name that is no branch still reaches the server from a script or a tampered form: refused, naming the nearest.
  const api = await org.json('POST', '/api/v1/ballots', {
    title: 'Leds only',
    ...ballotTimes(),
    questions: [{ title: 'Agree?', method: 'yesno' }],
    eligibility: { branches: ['Leds'] },
  });
  expect(api.status).toBe(422);
  expect(api.body.errors).toEqual([
    { path: 'eligibility.branches.0', message: "no branch 'Leds' — did you mean 'Leeds'?" },
  ]);
  await boxes.getByRole('checkbox', { name: 'Leeds (1 member)' }).evaluate((box) => {
    box.setAttribute('value', 'Leds');
    box.setAttribute('checked', '');
  });
  await page.getByRole('button', { name: 'Save the draft' }).last().click();
  await page.locator('#error-summary').waitFor();
  await expect(page.locator('#error-summary').textContent()).resolves.toContain(
    "Who may vote: branches: no branch 'Leds' — did you mean 'Leeds'?",
  );
  // The name sent comes back ticked and marked, beside the real ones, with the problem at the boxes.
  await expect(boxes.getByRole('checkbox', { name: 'Leds (not on the roll)' }).isChecked()).resolves.toBe(true);
  await expect(page.locator('#eligibleBranches-error').textContent()).resolves.toContain("did you mean 'Leeds'?");
  expect(describeViolations('builder with a branch typo', await axeViolations(page))).toBe('');
  const shot = await screenshotOf(page.getByRole('group', { name: 'Who may vote' }), 'organiser-builder-branches');
  fs.copyFileSync(shot, path.resolve(__dirname, '../../docs/screenshots/organiser-builder-branches.png'));
  // Corrected, the draft's summary and the open confirmation state the rule and whom it admits.
  await boxes.getByRole('checkbox', { name: 'Leds (not on the roll)' }).uncheck();
  await boxes.getByRole('checkbox', { name: 'Leeds (1 member)' }).check();
  await page.getByRole('button', { name: 'Save the draft' }).last().click();
  await page.waitForURL(/\/ballots\/[0-9a-f-]+\?done=created/);
  await expect(page.locator('#eligibility-rule').textContent()).resolves.toBe(
    'members of the branch Leeds (1 member on the roll now)',
  );
  await page.getByLabel('I have checked the ballot (members of the branch Leeds: 1 member); open it now').waitFor();
  expect(describeViolations('draft with its rule', await axeViolations(page))).toBe('');

  await page.goto(`${app().url}/roll/import`);
  await page
    .getByLabel('Or paste the CSV here')
    .fill('email,name,branch\nl1@example.org,L 1,Leeds\nb1@example.org,B 1,Bristol\nl2@example.org,L 2,leeds\n');
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  await expect(page.locator('#near-duplicates').textContent()).resolves.toContain('“Leeds” and “leeds”');
  expect(describeViolations('preview with near-duplicate branches', await axeViolations(page))).toBe('');
  await context.close();
});
