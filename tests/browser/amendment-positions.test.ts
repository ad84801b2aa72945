import { sql } from 'kysely';
import type { BrowserContext, Page } from 'playwright-core';
import { ballotTimes, Client, proposalLinkOf } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, overflowsSideways, PHONE } from '../support/browser';
import { tokensOf } from '../support/integrity';
import { waitFor } from '../support/smtp';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * A branch meeting's position on an amended motion in a real Chromium (docs/proposals.md,
 * "Branch positions"): the secretary's page (no script) offers the motion's variants in the
 * amendment's words (for the motion unamended, for each amendment, against) and records
 * "for Amendment 1"; after opening it shows the position as fixed; a North member's voting
 * page says what their branch meeting supported in the same words. axe-core finds nothing,
 * at phone and desktop widths.
 */
let org: Client;
let phone: BrowserContext;
let desktop: BrowserContext;

const { app, browser, smtp } = browserAndAppPerFile({ smtp: true });
beforeAll(async () => {
  // m0 and m2 in North, m1 and m3 in South.
  org = await organisationWithRoll(app(), 4, 'Amended Positions Union');
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

async function accessible(page: Page, name: string, scriptFree = true): Promise<void> {
  if (scriptFree) expect(await page.locator('script').count()).toBe(0);
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

const A = 'Amendment 1: Half the rate';

test("the secretary records the meeting's position for an amendment; a member sees it in the amendment's words", async () => {
  expect(
    (
      await org.json('PUT', '/api/v1/proposal-rules', {
        sharePercent: null,
        minBranches: 2,
        windowDays: 42,
        scheduleDays: 30,
        k: 1,
        amendmentDays: 14,
      })
    ).status,
  ).toBe(200);
  const members = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id'])
    .where('email', 'like', 'm%@example.org')
    .orderBy('email')
    .execute();
  const tokens = await Promise.all(members.map((m) => proposalLinkOf(app().db, m)));
  const act = (i: number, path: string, body: Record<string, unknown> = {}) =>
    new Client(app().url).json('POST', `/api/v1/member/proposals${path}`, { token: tokens[i], ...body });
  const motion = (
    await act(0, '', {
      proposal: { kind: 'motion', title: 'Set the dues', text: 'Conference sets the dues at 1% of income.' },
    })
  ).body.id as string;
  await act(0, `/${motion}/start`);
  expect((await act(1, `/${motion}/signatures`)).body.stage).toBe('qualified');
  for (const [mover, supporter, title] of [
    [2, 1, 'Half the rate'],
    [3, 0, 'A cap'],
  ] as const) {
    const id = (
      await act(mover, `/${motion}/amendments`, { amendment: { title, text: `Conference sets the dues: ${title}.` } })
    ).body.id as string;
    await act(mover, `/${id}/start`);
    expect((await act(supporter, `/${id}/signatures`)).body.stage).toBe('qualified');
  }
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${motion}`.execute(
    app().db,
  );
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: ballot.id })).status).toBe(200);

  expect(
    (
      await org.json('PUT', '/api/v1/branch-secretaries', {
        branch: 'North',
        name: 'Nora Secretary',
        email: 'nora@example.org',
      })
    ).status,
  ).toBe(200);
  const mail = await waitFor('the secretary link', () => smtp().received.find((m) => m.to[0] === 'nora@example.org'));
  const path = new URL(/https?:\/\/[^\s"<>]+\/s\/[A-Za-z0-9_-]{43}/.exec(mail.raw.replace(/=\r?\n/g, ''))![0]).pathname;

  const page = await phone.newPage();
  expect((await page.goto(`${app().url}${path}`))?.status()).toBe(200);
  const motionForm = page.locator('form').filter({ hasText: 'Set the dues: the meeting’s position' });
  const group = page.getByRole('group', { name: '2. Set the dues: the meeting’s position' });
  expect(await motionForm.innerText()).toContain('An amended motion: members rank its variants on one question.');
  for (const name of [
    'For the motion unamended (The motion as proposed)',
    `For ${A} (the motion as this amendment words it)`,
    'For Amendment 2: A cap (the motion as this amendment words it)',
    'Against: the motion falls (None: the motion falls)',
    'No position',
  ])
    expect(await group.getByRole('radio', { name }).count()).toBe(1);
  await accessible(page, 'secretary page with an amended motion');

  await group.getByRole('radio', { name: `For ${A} (the motion as this amendment words it)` }).check();
  await motionForm.getByLabel('How many attended the meeting').fill('15');
  await page.getByRole('button', { name: 'Record the position on “Set the dues”' }).click();
  expect(await page.getByRole('status').textContent()).toBe(
    `Recorded: the meeting (15 present) supported ${A} (the motion as this amendment words it).`,
  );
  expect(
    await page
      .getByRole('group', { name: '2. Set the dues: the meeting’s position' })
      .getByRole('radio', { name: `For ${A} (the motion as this amendment words it)` })
      .isChecked(),
  ).toBe(true);
  await accessible(page, 'secretary page after recording an amendment position');

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  await page.reload();
  expect(await page.locator('main').innerText()).toContain(
    `Set the dues: the meeting (15 present) supported ${A} (the motion as this amendment words it)`,
  );
  expect(await page.getByRole('button').count()).toBe(0);
  await page.close();

  const voters = await tokensOf(app().db, ballot.id, 'test-secret-0123456789-0123456789-abcdef');
  const north = voters.find((t) => t.branch === 'North')!.token;
  for (const context of [phone, desktop]) {
    const paper = await context.newPage();
    expect((await paper.goto(`${app().url}/v/${north}`))?.status()).toBe(200);
    expect(await paper.locator('main').innerText()).toContain(
      `Your branch meeting (North, 15 present) supported ${A} (the motion as this amendment words it)`,
    );
    await accessible(paper, 'voting page with a position on an amended motion', false);
    await paper.close();
  }
});
