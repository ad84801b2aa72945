import type { BrowserContext, Page } from 'playwright-core';
import { renderEmail } from '../../src/mail/templates';
import { renderBallotMail, statementsOfMail } from '../../src/services/invitations';
import { type Client } from '../support/app';
import {
  axeContext,
  axeViolations,
  describeViolations,
  DESKTOP,
  overflowsSideways,
  PHONE,
  screenshot,
} from '../support/browser';
import {
  type BallotSummary,
  browserAndAppPerFile,
  EVERY_METHOD,
  openBallotWithTokens,
  organisationWithRoll,
} from './helpers';

/**
 * WCAG 2.2 AA on every page a voter can see, checked by axe-core in a real Chromium at
 * phone width (320 px) and at desktop width: the ballot paper of every counting method
 * (as sent, with JavaScript's tap-to-rank in use, and with problems named), the review,
 * the receipt, each refusal (unknown, used, not yet open, closed, expired form), the
 * new-link page in each state, the bulletin board, and the voter emails. Each page must
 * also fit 320 px without sideways scrolling (WCAG 1.4.10).
 */
let org: Client;
let open: { ballot: BallotSummary; tokens: string[] };
let early: { ballot: BallotSummary; tokens: string[] };
let closed: { ballot: BallotSummary; tokens: string[] };
let phone: BrowserContext;
let desktop: BrowserContext;

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await organisationWithRoll(app(), 3, 'Access Union');
  open = await openBallotWithTokens(app(), org, { title: 'Annual ballot 2026', questions: EVERY_METHOD });
  const hour = 3600_000;
  early = await openBallotWithTokens(app(), org, {
    title: 'Autumn ballot',
    questions: [EVERY_METHOD[0]],
    opensAt: new Date(Date.now() + hour).toISOString(),
    closesAt: new Date(Date.now() + 2 * hour).toISOString(),
  });
  closed = await openBallotWithTokens(app(), org, {
    title: 'Spring ballot',
    questions: [EVERY_METHOD[0], EVERY_METHOD[7]],
    receiptPolicy: 'choices',
  });
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

/** The phone-width pages the README shows. */
const README = ['paper', 'receipt', 'board', 'report-form'];

/** axe finds nothing, and the page fits a 320 px phone; a phone-width screenshot is kept. */
async function accessible(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(describeViolations(name, violations)).toBe('');
  if (page.context() === phone) {
    expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, `voter-${name}`, README.includes(name));
  }
}

const question = (page: Page, position: number) =>
  page.getByRole('group', { name: new RegExp(`^${position + 1}\\. `) });

describe.each([
  ['phone', () => phone],
  ['desktop', () => desktop],
] as const)('at %s width', (width, context) => {
  let page: Page;
  beforeAll(async () => {
    page = await context().newPage();
  });
  afterAll(async () => {
    await page.close();
  });
  const token = (list: string[]) => list[width === 'phone' ? 0 : 1]!;

  test('the ballot paper of every method; tap-to-rank in use; problems named; review; receipt; used', async () => {
    const link = `${app().url}/v/${token(open.tokens)}`;
    expect((await page.goto(link))?.status()).toBe(200);
    await accessible(page, 'paper');
    // Tap-to-rank in use: ranked options change colour, the order is announced.
    const stv = question(page, 7);
    for (const name of ['Jo Lindqvist', 'Hana Okafor'])
      await stv.getByRole('button', { name: new RegExp(`^${name}[ :]`) }).click();
    await question(page, 3).getByLabel('Housing').check();
    await accessible(page, 'paper-in-use');
    // A problem: two first choices.
    await stv.getByRole('combobox', { name: /^Ivan Petrov/ }).selectOption('1');
    await page.getByRole('button', { name: 'Review my vote' }).click();
    expect(await page.getByRole('alert').count()).toBe(1);
    await accessible(page, 'paper-problems');
    await stv.getByRole('combobox', { name: /^Ivan Petrov/ }).selectOption('3');
    await page.getByRole('button', { name: 'Review my vote' }).click();
    await accessible(page, 'review');
    await page.getByRole('button', { name: 'Cast my vote' }).click();
    expect(await page.locator('.receipt').count()).toBe(1);
    await accessible(page, 'receipt');
    expect((await page.goto(link))?.status()).toBe(409);
    await accessible(page, 'link-used');
  });

  test('refusals: unknown link, not yet open, closed, expired form', async () => {
    expect((await page.goto(`${app().url}/v/${'x'.repeat(43)}`))?.status()).toBe(404);
    expect(await page.getByRole('link', { name: 'Send me a new voting link' }).getAttribute('href')).toBe('/link');
    await accessible(page, 'link-unknown');
    expect((await page.goto(`${app().url}/v/${token(early.tokens)}`))?.status()).toBe(403);
    await accessible(page, 'not-yet-open');

    // A form whose csrf field does not match: nothing is cast, the page says what to do.
    await page.goto(`${app().url}/v/${token(closed.tokens)}`);
    await page.evaluate("document.querySelector('input[name=csrf]').value = 'forged'");
    const sent = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Review my vote' }).click();
    expect((await sent).status()).toBe(403);
    expect(await page.getByRole('link', { name: 'Back to the ballot paper' }).getAttribute('href')).toBe(
      `/v/${token(closed.tokens)}`,
    );
    await accessible(page, 'form-expired');
  });

  test('"send me a new link": the form, a bad address, done', async () => {
    expect((await page.goto(`${app().url}/link`))?.status()).toBe(200);
    await accessible(page, 'new-link');
    await page.getByLabel('Your email address').fill('not an address');
    // The browser's own check would stop the form; the server's answer is what is tested.
    await page.evaluate('document.querySelector(\'form[action="/link"]\').noValidate = true');
    await page.getByRole('button', { name: 'Send me a new link' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Enter an email address');
    await accessible(page, 'new-link-problem');
    // An address on no roll: the answer is the same whether or not it is (and no member's link dies).
    await page.getByLabel('Your email address').fill('nobody@example.org');
    await page.getByRole('button', { name: 'Send me a new link' }).click();
    expect(await page.locator('main').innerText()).toContain('a new link is on its way');
    await accessible(page, 'new-link-sent');
  });
});

test('the bulletin board before the close; after it, the closed link and the board with answers', async () => {
  const page = await phone.newPage();
  // Before the close the board shows the committed electorate, how to check, and where to report a problem.
  expect((await page.goto(`${app().url}/board/${closed.ballot.id}`))?.status()).toBe(200);
  expect(await page.locator('main').innerText()).toContain('Voting is open.');
  expect(await page.getByRole('link', { name: 'Report a problem to the auditors' }).count()).toBe(1);
  await accessible(page, 'board-while-open');
  // The report form, as a member reaches it from the board.
  await page.getByRole('link', { name: 'Report a problem to the auditors' }).click();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Report a problem');
  await accessible(page, 'report-form');
  // One member votes (through the API), then the ballot closes.
  const [, stvId] = closed.ballot.questions.map((q) => q.id);
  const cast = await org.json('POST', '/api/v1/vote', {
    token: closed.tokens[2],
    answers: {
      [closed.ballot.questions[0]!.id]: { kind: 'choice', option: 0 },
      [stvId!]: { kind: 'ranking', options: [4, 3, 2, 1, 0] },
    },
  });
  expect(cast.status).toBe(201);
  expect((await org.json('POST', `/api/v1/ballots/${closed.ballot.id}/close`)).status).toBe(204);
  expect((await page.goto(`${app().url}/v/${closed.tokens[0]}`))?.status()).toBe(410);
  expect(await page.getByRole('link', { name: new RegExp(`/board/${closed.ballot.id}$`) }).count()).toBe(1);
  await accessible(page, 'closed');
  expect((await page.goto(`${app().url}/board/${closed.ballot.id}`))?.status()).toBe(200);
  expect(await page.locator('main').innerText()).toContain(cast.body.receipt);
  await accessible(page, 'board');
  await page.close();
});

const EMAIL_VALUES: Record<string, Record<string, string>> = {
  'proposal-link': { name: 'Ann Smith', days: '90', link: 'http://127.0.0.1/p/' + 'A'.repeat(43) },
  'secretary-link': {
    name: 'Sam Secretary',
    branch: 'Leeds',
    link: 'http://127.0.0.1/s/' + 'A'.repeat(43),
    linkExpiresAt: '2027-12-06 10:00 UTC',
  },
  'proposal-qualified': {
    name: 'Ann Smith',
    title: 'Cut the dues for students',
    scheduleBy: '2027-01-04 10:00 UTC',
    url: 'http://127.0.0.1/proposals/00000000-0000-4000-8000-000000000000',
  },
  'amendments-open': {
    name: 'Ann Smith',
    title: 'Set the dues',
    closesAt: '2027-01-04 10:00 UTC',
    what: 'motion',
    amendmentIs: 'each amendment is a new text of the motion, in full',
    onBallot:
      'On the ballot, members will rank the motion as proposed, each qualifying amendment, and “None: the motion falls”.',
    days: '90',
    url: 'http://127.0.0.1/proposals/00000000-0000-4000-8000-000000000000',
    link: 'http://127.0.0.1/p/' + 'A'.repeat(43),
  },
  'amendment-qualified': {
    name: 'Ann Smith',
    title: 'Half the rate',
    motion: 'Set the dues',
    what: 'motion',
    why: 'you tabled it',
    url: 'http://127.0.0.1/proposals/00000000-0000-4000-8000-000000000000',
  },
  'case-against-qualified': {
    name: 'Ann Smith',
    answers: 'the question "Adopt the accounts?" on the ballot "Annual ballot"',
    why: 'you wrote it',
    url: 'http://127.0.0.1/proposals/00000000-0000-4000-8000-000000000000',
  },
  'proposal-lapsed': {
    name: 'Ann Smith',
    what: 'the members\' proposal "Cut the dues for students"',
    closesAt: '2027-01-04 10:00 UTC',
    supporters: '12',
    branches: '3',
    needed: '20 supporters and supporters in 4 branches',
    why: 'you proposed it',
    url: 'http://127.0.0.1/proposals/00000000-0000-4000-8000-000000000000',
  },
  'proposal-overdue': {
    name: 'Aud Itor',
    what: 'the members\' proposal "Cut the dues for students"',
    scheduleBy: '2027-01-04 10:00 UTC',
    why: 'you audit the organisation’s ballots',
    url: 'http://127.0.0.1/proposals/00000000-0000-4000-8000-000000000000',
  },
  'nominations-open': {
    name: 'Ann Smith',
    title: 'National Executive',
    days: '90',
    url: 'http://127.0.0.1/elections/00000000-0000-4000-8000-000000000000',
    link: 'http://127.0.0.1/p/' + 'A'.repeat(43),
  },
  nomination: {
    name: 'Ann Smith',
    title: 'National Executive',
    statementMax: '1000',
    url: 'http://127.0.0.1/elections/00000000-0000-4000-8000-000000000000',
    link: 'http://127.0.0.1/n/' + 'A'.repeat(43),
  },
  'nominee-threshold': {
    name: 'Ann Smith',
    title: 'National Executive',
    accepted: '',
    pending: 'yes',
    url: 'http://127.0.0.1/elections/00000000-0000-4000-8000-000000000000',
  },
  invitation: {},
  reminder: {},
  'staff-invitation': { inviterName: 'Olive Organiser', role: 'an auditor' },
  'open-commitment': {
    auditorName: 'Aud Itor',
    eligible: '60',
    openEntry: '7',
    openHash: 'ab'.repeat(32),
    definition: 'cd'.repeat(32),
    electorateHash: 'ef'.repeat(32),
    tokensRoot: '01'.repeat(32),
  },
  'box-root': {
    auditorName: 'Aud Itor',
    votes: '57',
    boxRoot: 'ab'.repeat(32),
    closeEntry: '12',
    closeHash: 'cd'.repeat(32),
    usedRoot: 'ef'.repeat(32),
    recordUrl: 'http://127.0.0.1/ballots/x',
  },
  'verifiable-open': {
    auditorName: 'Aud Itor',
    eligible: '60',
    election: 'q'.repeat(43),
    credentials: 'ab'.repeat(32),
    setupEvent: 'cd'.repeat(32),
    openEntry: '7',
    openHash: 'ef'.repeat(32),
  },
  'trustee-decrypt': {
    name: 'Ann Trustee',
    position: '1',
    trustees: '3',
    threshold: '2',
    link: 'http://127.0.0.1/trustee#' + 'A'.repeat(43),
  },
  'verifiable-close': {
    auditorName: 'Aud Itor',
    cast: '58',
    counted: '57',
    head: 'ab'.repeat(32),
    closeEntry: '12',
    closeHash: 'cd'.repeat(32),
  },
  'problem-report': {
    auditorName: 'Aud Itor',
    ballotId: '00000000-0000-4000-8000-000000000000',
    receivedAt: '2026-12-05T10:00:00.000Z',
    text: 'My link says "already used", but I have not voted.\nAnn Smith, North branch',
    textHash: 'ab'.repeat(32),
    reportEntry: '9',
    reportHash: 'cd'.repeat(32),
  },
};

test.each(Object.keys(EMAIL_VALUES))('the %s email (HTML part)', async (kind) => {
  const mail = renderEmail(kind, {
    organisationName: 'Access Union',
    ballotTitle: 'Annual ballot 2026',
    memberName: 'Ann Smith',
    opensAt: '2026-12-01 09:00 UTC',
    closesAt: '2026-12-08 17:00 UTC',
    questionList: '1. Adopt the new rule book?\n2. National executive (three seats)',
    link: `${app().url}/v/${'A'.repeat(43)}`,
    reportLink: `${app().url}/report/00000000-0000-4000-8000-000000000000`,
    ...EMAIL_VALUES[kind],
  });
  for (const context of [phone, desktop]) {
    const page = await context.newPage();
    await page.setContent(mail.html);
    expect(describeViolations(`${kind} email`, await axeViolations(page))).toBe('');
    if (context === phone) {
      expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `email-${kind}`);
    }
    await page.close();
  }
});

test('the invitation email with the case for and against side by side, stacked on a phone', async () => {
  const statements = statementsOfMail(
    JSON.stringify([
      {
        questionId: '00000000-0000-4000-8000-000000000001',
        n: 1,
        title: 'Adopt the new rule book?',
        for: { text: 'It is clearer.\n\nAnd shorter by half.', author: 'proposers' },
        against: { text: 'It drops the branches’ right to call a meeting.', author: 'members' },
      },
    ]),
    'a seed',
  );
  const mail = renderBallotMail(
    'invitation',
    {
      organisationName: 'Access Union',
      ballotTitle: 'Annual ballot 2026',
      memberName: 'Ann Smith',
      opensAt: '2026-12-01 09:00 UTC',
      closesAt: '2026-12-08 17:00 UTC',
      questionList: '1. Adopt the new rule book?',
      ...statements.values,
    },
    `${app().url}/v/${'A'.repeat(43)}`,
    `${app().url}/report/00000000-0000-4000-8000-000000000000`,
    statements.markup,
  );
  for (const context of [phone, desktop]) {
    const page = await context.newPage();
    await page.setContent(mail.html);
    expect(describeViolations('invitation email with statements', await axeViolations(page))).toBe('');
    const cells = page.locator('td.statement');
    expect(await cells.count()).toBe(2);
    const [a, b] = [(await cells.nth(0).boundingBox())!, (await cells.nth(1).boundingBox())!];
    if (context === phone) {
      // Stacked: the second case under the first, each under its own heading.
      expect(b.y).toBeGreaterThanOrEqual(a.y + a.height);
      expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'email-invitation-statements');
    } else {
      // Side by side: the same row, the second to the right.
      expect(b.y).toBe(a.y);
      expect(b.x).toBeGreaterThanOrEqual(a.x + a.width);
    }
    await page.close();
  }
});
