import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as electorate from '../../src/data/electorate';
import { LINK_PURPOSE } from '../../src/services/invitations';
import {
  ballotTimes,
  type Client,
  setUpOrganisation,
  startTestApp,
  type TestApp,
  type TestAppOptions,
} from '../support/app';
import { launchBrowser } from '../support/browser';
import { type SmtpSink, startSmtpSink } from '../support/smtp';

/**
 * For a whole test file: the app and Chromium, started together (the app mailing to a real
 * SMTP server on loopback if `smtp`), all closed at the file's end, even after a failure.
 * Read them inside the tests and hooks.
 */
export function browserAndAppPerFile(opts: Omit<TestAppOptions, 'smtpUrl'> & { smtp?: true } = {}): {
  app(): TestApp;
  browser(): Browser;
  smtp(): SmtpSink;
} {
  const { smtp: withSmtp, ...appOpts } = opts;
  let smtp: SmtpSink | undefined;
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (withSmtp) smtp = await startSmtpSink();
    [app, browser] = await Promise.all([
      startTestApp({ ...appOpts, ...(smtp ? { smtpUrl: smtp.url } : {}) }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await smtp?.close();
  });
  return {
    app: () => app!,
    browser: () => browser!,
    smtp: () => {
      if (!smtp) throw new Error('this file started no SMTP server: browserAndAppPerFile({ smtp: true })');
      return smtp;
    },
  };
}

/** One question of every counting method: the ballot paper must work for each. */
export const EVERY_METHOD = [
  { title: 'Adopt the new rule book?', method: 'yesno' },
  {
    title: 'Conference city',
    method: 'plurality',
    options: [{ label: 'Leeds' }, { label: 'Bristol' }, { label: 'Glasgow' }],
  },
  {
    title: 'Two trustees',
    method: 'block',
    settings: { seats: 2 },
    options: [{ label: 'Ada' }, { label: 'Ben' }, { label: 'Cai' }, { label: 'Dee' }],
  },
  {
    title: 'Campaign priorities',
    method: 'approval',
    settings: { seats: 1, maxMarks: 2 },
    options: [{ label: 'Housing' }, { label: 'Transport' }, { label: 'Wages' }],
  },
  {
    title: 'Rate the logos',
    method: 'score',
    settings: { seats: 1, maxScore: 5 },
    options: [{ label: 'Red star' }, { label: 'Green leaf' }, { label: 'Blue wave' }],
  },
  {
    title: 'Newsletter name',
    method: 'borda',
    options: [{ label: 'The Voice' }, { label: 'Solidarity' }, { label: 'Forward' }],
  },
  { title: 'Chair', method: 'irv', options: [{ label: 'Eve' }, { label: 'Fay' }, { label: 'Gus' }] },
  {
    title: 'National executive (three seats)',
    description: 'Single transferable vote, Scottish rules.',
    method: 'stv',
    settings: { seats: 3, rules: 'scottish' },
    options: [
      { label: 'Hana Okafor', description: 'Leeds branch' },
      { label: 'Ivan Petrov' },
      { label: 'Jo Lindqvist' },
      { label: 'Kemal Aydın' },
      { label: 'Lena Müller-Schmidt' },
    ],
  },
  {
    title: 'Annual meeting venue',
    method: 'schulze',
    options: [{ label: 'Hall' }, { label: 'Library' }, { label: 'Online' }],
  },
  { title: 'Strategy', method: 'ranked-pairs', options: [{ label: 'Grow' }, { label: 'Hold' }, { label: 'Merge' }] },
  { title: 'Mascot', method: 'copeland', options: [{ label: 'Owl' }, { label: 'Fox' }, { label: 'Bee' }] },
] as const;

export type BallotSummary = { id: string; questions: Array<{ id: string; title: string; method: string }> };

export async function organisationWithRoll(app: TestApp, members: number, name = 'Browser Union'): Promise<Client> {
  const org = await setUpOrganisation(app, name);
  const csv = [
    'email,name,branch',
    ...Array.from({ length: members }, (_, i) => `m${i}@example.org,Member ${i},${['North', 'South'][i % 2]}`),
  ].join('\n');
  const r = await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' });
  if (r.status !== 200) throw new Error(`roll import failed: ${r.status} ${JSON.stringify(r.body)}`);
  return org;
}

/** Creates and opens a ballot through the API; returns it and every member's voting token. */
export async function openBallotWithTokens(
  app: TestApp,
  org: Client,
  body: Record<string, unknown>,
): Promise<{ ballot: BallotSummary; tokens: string[] }> {
  const created = await org.json('POST', '/api/v1/ballots', { title: 'Spring ballot', ...ballotTimes(), ...body });
  if (created.status !== 201) throw new Error(`ballot not created: ${created.status} ${JSON.stringify(created.body)}`);
  const ballot = created.body as BallotSummary;
  const opened = await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  if (opened.status !== 200) throw new Error(`ballot not opened: ${opened.status} ${JSON.stringify(opened.body)}`);
  // Test shortcut (as bench/cast.ts): the links are opened from their sealed copies with the
  // server's keyring instead of reading mail. The end-to-end test reads the real mail.
  const tokens = (await electorate.listNonVoters(app.ctx.db, ballot.id)).map((v) =>
    app.ctx.keys.open(LINK_PURPOSE, v.sealedToken!),
  );
  return { ballot, tokens };
}

/** Signs a page in through the sign-in form, as a member of staff would. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL(`${url}/`);
}

/** A new page in `context`, signed in through the sign-in form (setUpOrganisation's password unless given) and on the ballot list. */
export async function signedInPage(
  app: TestApp,
  context: BrowserContext,
  email: string,
  password = 'correct horse battery staple',
): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, app.url, email, password);
  return page;
}
