import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as electorate from '../../src/data/electorate';
import { verifyRecord } from '@omov/core/record/verify';
import { readEml } from '../../src/mail/eml';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import {
  axeContext,
  axeViolations,
  describeViolations,
  DESKTOP,
  launchBrowser,
  screenshot,
  screenshotOf,
} from '../support/browser';
import { signedInPage } from './helpers';
import { startSmtpSink, waitFor } from '../support/smtp';

/**
 * The guards on mass actions, in a real Chromium with axe-core on each page: a double click on
 * "send the reminder now" mails each member once (counted at a real SMTP sink); a re-import
 * that removes most of the roll needs its loud confirmation; a weighted ballot's results and
 * CSV show decimals, and a two-thirds motion says how far Yes was from two thirds; a quorum
 * counts the members who abstained on its question; a branch typo is refused with the branch
 * meant, and branches written two ways are flagged at import and merged on the roll page.
 */
const EMAIL = 'olive.guards@example.org';

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

const signedIn = (context: BrowserContext): Promise<Page> => signedInPage(app, context, EMAIL);

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
  await screenshotOf(page.locator('form', { has: confirm }), 'organiser-reminder-confirm', true);
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

  const context = await axeContext(browser);
  const page = await signedIn(context);
  await page.goto(`${app.url}/roll/import`);
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
  await screenshot(page, 'organiser-roll-destructive', true);

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

/** The roll replaced by `roll` (CSV), a ballot of the one `question` opened on it, and closed once `votes` (answers by email) are cast. */
async function closedBallotOn(roll: string, title: string, question: object, votes: Record<string, object>) {
  expect(
    (await org.json('POST', '/api/v1/roll/import?confirmDestructive=true', roll, { 'content-type': 'text/csv' }))
      .status,
  ).toBe(200);
  const created = await org.json('POST', '/api/v1/ballots', { title, ...ballotTimes(), questions: [question] });
  expect(created.status).toBe(201);
  const ballot = created.body as { id: string; questions: Array<{ id: string }> };
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  for (const v of await electorate.listNonVoters(app.ctx.db, ballot.id)) {
    const answer = votes[v.email];
    if (!answer) continue;
    const token = app.ctx.keys.open(LINK_PURPOSE, v.sealedToken!);
    const r = await org.json('POST', '/api/v1/vote', { token, answers: { [ballot.questions[0]!.id]: answer } });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBeLessThan(300);
  return ballot;
}

test('a weighted ballot: the results page and the CSV show decimals, and the distance to two thirds', async () => {
  const roll = [
    'email,name,branch,weight',
    'w1@example.org,W 1,North,1',
    'w2@example.org,W 2,North,1',
    'w3@example.org,W 3,North,1',
    'w4@example.org,W 4,North,1',
    'half@example.org,Half,North,0.5',
  ].join('\n');
  // Yes: W 1, W 2 and Half (2.5); No: W 3 and W 4 (2). Two thirds of 4.5 is 3: Yes needed 1.5 more.
  const [yes, no] = [
    { kind: 'choice', option: 0 },
    { kind: 'choice', option: 1 },
  ];
  const ballot = await closedBallotOn(
    roll,
    'Weighted',
    { title: 'Change the rules?', method: 'yesno', settings: { threshold: '2/3' } },
    {
      'w1@example.org': yes,
      'w2@example.org': yes,
      'half@example.org': yes,
      'w3@example.org': no,
      'w4@example.org': no,
    },
  );
  // The JSON keeps the exact values.
  const json = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  expect(json.questions[0].options).toEqual([
    { option: 'Yes', votes: '5/2' },
    { option: 'No', votes: '2' },
  ]);

  const context = await axeContext(browser, DESKTOP);
  const page = await signedIn(context);
  await page.goto(`${app.url}/ballots/${ballot.id}/results`);
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
  await screenshotOf(section, 'organiser-results-two-thirds', true);

  const csv = await (await page.request.get(`${app.url}/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain('1,Change the rules?,yesno,(all),Yes,votes,2.5,no\r\n');
  expect(csv).toContain('1,Change the rules?,yesno,(all),(votes short of two thirds),margin,1.5,\r\n');
  expect(csv).not.toContain('/');
  await context.close();
});

test('a quorum counts every member who returned the ballot, abstainers included: page, JSON, record and verify agree', async () => {
  const roll = ['email,name,branch', ...[1, 2, 3, 4, 5].map((i) => `q${i}@example.org,Q ${i},North`)].join('\n');
  // Q 1 and Q 2 Yes, Q 3 No, Q 4 returns the ballot abstaining, Q 5 does not vote: 4 of 5 took part,
  // the quorum (three quarters of 5) is 3.75. Counting only those who answered (3) would miss it.
  const ballot = await closedBallotOn(
    roll,
    'Quorate',
    { title: 'Dissolve the branch?', method: 'yesno', settings: { threshold: '1/2', quorum: '3/4' } },
    {
      'q1@example.org': { kind: 'choice', option: 0 },
      'q2@example.org': { kind: 'choice', option: 0 },
      'q3@example.org': { kind: 'choice', option: 1 },
      'q4@example.org': { kind: 'abstain' },
    },
  );
  const json = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body;
  expect(json.questions[0]).toMatchObject({ abstentions: '1', elected: ['Yes'] });
  expect(json.questions[0].count.summary).toMatchObject({
    blank: '1',
    turnout: '4',
    quorumNeeded: '15/4',
    quorumMet: true,
  });
  // The record says format 4, and the verifier recounts it to the same result.
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.format).toBe('omov-election-record/5');
  const verdict = verifyRecord(record);
  expect(verdict.checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);

  const context = await axeContext(browser, DESKTOP);
  const page = await signedIn(context);
  await page.goto(`${app.url}/ballots/${ballot.id}/results`);
  const section = page.locator('section', { hasText: 'Dissolve the branch?' });
  await expect(section.textContent()).resolves.toContain('Quorum reached: a turnout of 4 (3.75 needed).');
  await expect(section.textContent()).resolves.toContain(
    'the quorum is a turnout of three quarters of the electorate, counting every member who returned the ballot, whether they voted on this question or abstained.',
  );
  expect(describeViolations('quorum results', await axeViolations(page))).toBe('');
  await context.close();
});

test('a typo in the branch filter is refused with its nearest match, and the import flags near-duplicate names', async () => {
  const roll = 'email,name,branch\nl1@example.org,L 1,Leeds\nb1@example.org,B 1,Bristol\n';
  expect(
    (await org.json('POST', '/api/v1/roll/import?confirmDestructive=true', roll, { 'content-type': 'text/csv' }))
      .status,
  ).toBe(200);
  const context = await axeContext(browser, DESKTOP);
  const page = await signedIn(context);
  await page.goto(`${app.url}/ballots/new`);
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
  await screenshotOf(page.getByRole('group', { name: 'Who may vote' }), 'organiser-builder-branches', true);
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

  await page.goto(`${app.url}/roll/import`);
  await page
    .getByLabel('Or paste the CSV here')
    .fill('email,name,branch\nl1@example.org,L 1,Leeds\nb1@example.org,B 1,Bristol\nl2@example.org,L 2,leeds\n');
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  await expect(page.locator('#near-duplicates').textContent()).resolves.toContain('“Leeds” and “leeds”');
  expect(describeViolations('preview with near-duplicate branches', await axeViolations(page))).toBe('');
  // Applied anyway, the two spellings are two branches: the preview's link leads to the merge, which joins them.
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await page.getByRole('heading', { name: 'The roll is imported' }).waitFor();
  await page.goto(`${app.url}/roll#merge`);
  await page.getByLabel('Merge the branch').selectOption('leeds');
  await page.getByLabel('into', { exact: true }).selectOption('Leeds');
  await page.getByLabel('Move the members; this is recorded in the audit log').check();
  await screenshotOf(page.locator('form[action="/roll/branches/merge"]'), 'organiser-roll-merge', true);
  await page.getByRole('button', { name: 'Merge the branches' }).click();
  await page.waitForURL(/done=merged/);
  await expect(page.getByRole('status').textContent()).resolves.toContain('The branches are merged.');
  expect(describeViolations('roll after a merge', await axeViolations(page))).toBe('');
  const members = (await org.json('GET', '/api/v1/members?limit=500')).body as Array<{ email: string; branch: string }>;
  expect(members.filter((m) => m.email.startsWith('l')).map((m) => m.branch)).toEqual(['Leeds', 'Leeds']);
  await context.close();
});
