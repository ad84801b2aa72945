import type { Page } from 'playwright-core';
import { ballotTimes, type Client, setUpOrganisation } from '../support/app';
import { postVote, tokensOf } from '../support/integrity';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext, PHONE } from '../support/browser';
import { browserAndAppPerFile, EVERY_METHOD } from './helpers';

/**
 * The organisers' and auditors' pages too meet WCAG 2.2 AA by axe-core in a real Chromium,
 * at desktop and phone width, signed in through the sign-in form: the ballot list, the
 * roll and its import, a member, the builder (new and editing), a ballot's overview,
 * previews, invitations, turnout and results (charts, rounds, the delegate comparison),
 * staff, API tokens, the audit log and the verify guide.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const EMAIL = 'olive.access@example.org';
const PASSWORD = 'correct horse battery staple'; // setUpOrganisation's

let org: Client;
const ids: Record<'draft' | 'open' | 'later' | 'closed' | 'member', string> = {
  draft: '',
  open: '',
  later: '',
  closed: '',
  member: '',
};

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Staff Access Union', EMAIL);
  const roll = [
    'email,name,branch',
    ...Array.from({ length: 24 }, (_, i) => `s${i}@example.org,Staff Member ${i},${['North', 'South', 'East'][i % 3]}`),
  ].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
  const make = async (title: string, questions: readonly unknown[]) => {
    const r = await org.json('POST', '/api/v1/ballots', {
      title,
      ...ballotTimes(),
      questions,
      delegates: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 10 },
      k: 2,
    });
    expect(r.status).toBe(201);
    return r.body as { id: string; questions: Array<{ id: string }> };
  };
  ids.draft = (await make('Draft ballot', EVERY_METHOD)).id;
  const open = await make('Open ballot', [EVERY_METHOD[0]]);
  expect((await org.json('POST', `/api/v1/ballots/${open.id}/open`)).status).toBe(200);
  ids.open = open.id;
  // Invitations that wait for a set time: the delivery page shows them waiting.
  const later = await make('Later ballot', [EVERY_METHOD[0]]);
  expect(
    (
      await org.json('POST', `/api/v1/ballots/${later.id}/open`, {
        sendAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      })
    ).status,
  ).toBe(200);
  ids.later = later.id;
  // A closed ballot with votes: a yes/no and an STV question, so the results show charts, rounds and the conference.
  const closed = await make('Closed ballot', [EVERY_METHOD[0], EVERY_METHOD[7]]);
  expect((await org.json('POST', `/api/v1/ballots/${closed.id}/open`)).status).toBe(200);
  const tokens = await tokensOf(app().db, closed.id, SECRET);
  const [yes, stv] = closed.questions.map((q) => q.id);
  for (const [i, t] of tokens.slice(0, 18).entries()) {
    const ranking = [i % 5, (i + 1) % 5, (i + 2) % 5];
    expect(
      (
        await postVote(app().url, t.token, {
          [yes!]: { kind: 'choice', option: i % 3 === 0 ? 1 : 0 },
          [stv!]: { kind: 'ranking', options: ranking },
        })
      ).status,
    ).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${closed.id}/close`)).status).toBe(204);
  ids.closed = closed.id;
  ids.member = ((await org.json('GET', '/api/v1/members?search=s1@')).body as Array<{ id: string }>)[0]!.id;
});

const PAGES = (): Array<[string, string]> => [
  ['ballot list', '/'],
  ['roll', '/roll'],
  ['roll import', '/roll/import'],
  ['members', '/roll/members'],
  ['one member', `/roll/members/${ids.member}`],
  ['new member', '/roll/members/new'],
  ['builder, new', '/ballots/new'],
  ['builder, editing every method', `/ballots/${ids.draft}/edit`],
  ['draft overview', `/ballots/${ids.draft}`],
  ['previews', `/ballots/${ids.draft}/preview`],
  ['paper preview', `/ballots/${ids.draft}/preview/paper`],
  ['invitations', `/ballots/${ids.open}/invitations`],
  ['invitations waiting to be sent', `/ballots/${ids.later}/invitations`],
  ['turnout', `/ballots/${ids.open}/turnout`],
  ['results', `/ballots/${ids.closed}/results`],
  ['staff', '/staff'],
  ['API tokens', '/api-tokens'],
  ['audit log', '/audit'],
  ['branch secretaries', '/secretaries'],
  ['verify guide', '/verify'],
];

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('at %s width', (_width, size) => {
  let page: Page;
  beforeAll(async () => {
    const context = await axeContext(browser(), size);
    page = await context.newPage();
    await page.goto(`${app().url}/signin`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${app().url}/`);
  });
  afterAll(async () => {
    await page.context().close();
  });

  test.each(PAGES().map(([name]) => name))('%s', async (name) => {
    const [, path] = PAGES().find(([n]) => n === name)!;
    const res = await page.goto(`${app().url}${path}`);
    expect(res?.status()).toBe(200);
    expect(page.url()).not.toContain('/signin');
    expect(describeViolations(name, await axeViolations(page))).toBe('');
  });
});

test('live figures update by themselves only while their checkbox is ticked; without JavaScript, by a link', async () => {
  const context = await axeContext(browser(), DESKTOP);
  const page = await context.newPage();
  try {
    await page.goto(`${app().url}/signin`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${app().url}/`);
    await page.clock.install();
    let loads = 0;
    page.on('load', () => {
      loads++;
    });
    await page.goto(`${app().url}/ballots/${ids.open}/turnout`);
    const live = page.getByRole('checkbox', { name: 'Update every 30 seconds' });
    expect(await live.isChecked()).toBe(true);
    expect(describeViolations('turnout, live', await axeViolations(page))).toBe('');
    const before = loads;
    const reloaded = page.waitForEvent('load');
    await page.clock.runFor(31_000);
    await reloaded;
    expect(loads).toBe(before + 1);
    // Unticked: no more reloads.
    await page.getByRole('checkbox', { name: 'Update every 30 seconds' }).uncheck();
    const now = loads;
    await page.clock.runFor(95_000);
    expect(loads).toBe(now);

    // Delivery progress while invitations wait: asked of the API every 3 seconds while ticked.
    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith(`/api/v1/ballots/${ids.later}/invitations`)) asked.push(r.url());
    });
    await page.goto(`${app().url}/ballots/${ids.later}/invitations`);
    const progress = page.getByRole('checkbox', { name: 'Update as it goes' });
    expect(await progress.isChecked()).toBe(true);
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/ballots/${ids.later}/invitations`));
    await page.clock.runFor(3_100);
    expect((await answered).status()).toBe(200);
    await progress.uncheck();
    const sofar = asked.length;
    await page.clock.runFor(30_000);
    expect(asked.length).toBe(sofar);
  } finally {
    await context.close();
  }
  // Without JavaScript there is no timer at all: a link updates the page.
  const still = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  try {
    const page = await still.newPage();
    await page.goto(`${app().url}/signin`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${app().url}/`);
    await page.goto(`${app().url}/ballots/${ids.open}/turnout`);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Update now' }).getAttribute('href')).toBe(
      `/ballots/${ids.open}/turnout`,
    );
  } finally {
    await still.close();
  }
});
