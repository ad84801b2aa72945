import { sql } from 'kysely';
import type { BrowserContext, Page } from 'playwright-core';
import { ballotTimes, Client, proposalLinkOf } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, overflowsSideways, PHONE } from '../support/browser';
import { tokensOf } from '../support/integrity';
import { browserAndAppPerFile, organisationWithRoll } from './helpers';

/**
 * An amendment to a members' question with options, in a real Chromium without any script
 * (docs/proposals.md#amendments-to-a-question): the member's page offers the question's
 * options to amend, prefilled; a duplicated option is refused beside its field; the
 * amendment is saved, started and supported, and its public page shows its options against
 * the question's own. Scheduled, the voting page asks which version, then ranks the union of
 * the options. axe-core finds nothing, at phone and desktop widths.
 */
let org: Client;
let phone: BrowserContext;
let desktop: BrowserContext;

const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  // m0 and m2 in North, m1 and m3 in South.
  org = await organisationWithRoll(app(), 4, 'Banner Union');
  phone = await axeContext(browser(), PHONE);
  desktop = await axeContext(browser(), DESKTOP);
});

async function accessible(page: Page, name: string, scriptFree = true): Promise<void> {
  if (scriptFree) expect(await page.locator('script').count()).toBe(0);
  expect(describeViolations(name, await axeViolations(page))).toBe('');
  expect(await overflowsSideways(page)).toBeLessThanOrEqual(0);
}

test('a member amends the options of a question; the voting page asks which version, then ranks every option', async () => {
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
  const members = await app().db.selectFrom('members').select(['id', 'organisation_id']).orderBy('email').execute();
  const tokens = await Promise.all(members.map((m) => proposalLinkOf(app().db, m)));
  const act = (i: number, path: string, body: Record<string, unknown> = {}) =>
    new Client(app().url).json('POST', `/api/v1/member/proposals${path}`, { token: tokens[i], ...body });
  const question = (
    await act(0, '', {
      proposal: {
        kind: 'question',
        title: 'Which colour for the banner?',
        text: 'The banner will be in one colour.',
        options: ['Red', 'Blue'],
      },
    })
  ).body.id as string;
  await act(0, `/${question}/start`);
  expect((await act(1, `/${question}/signatures`)).body.stage).toBe('qualified');

  const page = await phone.newPage();
  await page.goto(`${app().url}/p/${tokens[2]}`);
  expect(await page.locator('main').innerText()).toContain('Members may table amendments to this question until');
  const options = page.getByLabel('The options as amended, one on each line');
  expect(await options.inputValue()).toBe('Red\nBlue');
  expect(await page.getByLabel('The question’s text as amended').inputValue()).toBe(
    'The banner will be in one colour.',
  );
  await accessible(page, 'member page with the amendment form for a question');
  // A duplicated option: refused, and named beside its field.
  await page.getByLabel('The amendment’s title').fill('Add green');
  await options.fill('Red\nBlue\nred');
  await page.getByRole('button', { name: 'Save the amendment as a draft' }).click();
  expect(await page.getByRole('alert').innerText()).toContain('The amendment’s options: an option is there twice');
  const refused = page.getByLabel('The options as amended, one on each line');
  expect(await refused.getAttribute('aria-invalid')).toBe('true');
  expect(await refused.inputValue()).toBe('Red\nBlue\nred');
  expect(await page.locator('.problem', { hasText: 'an option is there twice' }).count()).toBeGreaterThan(0);
  await accessible(page, 'amendment form for a question with a problem');
  await refused.fill('Red\nBlue\nGreen');
  await page.getByRole('button', { name: 'Save the amendment as a draft' }).click();
  expect(await page.getByRole('status').innerText()).toContain('Your amendment is saved as a draft');
  await page.getByRole('button', { name: 'Start gathering support for “Add green”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You are its first supporter');
  await page.goto(`${app().url}/p/${tokens[3]}`);
  await page.getByRole('button', { name: 'Support “Add green”' }).click();
  expect(await page.getByRole('status').innerText()).toContain('You support this proposal');

  // Its public page: the options as amended, against the question's own.
  const amendment = (
    await app().db.selectFrom('proposals').select('id').where('title', '=', 'Add green').executeTakeFirstOrThrow()
  ).id;
  await page.goto(`${app().url}/proposals/${amendment}`);
  const diff = page.getByRole('table', { name: 'The options as amended, against the question’s own' });
  expect(await diff.locator('tbody tr').allInnerTexts()).toEqual(['Red\tkept', 'Blue\tkept', 'Green\tadded']);
  expect(await page.locator('main').innerText()).toContain('The question’s text is unchanged.');
  await accessible(page, 'public page of an amendment to a question');
  await page.close();

  // Scheduled and opened: the voting page asks which version, then ranks every version's options.
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${question}`.execute(
    app().db,
  );
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Banner ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/proposals/${question}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const voter = (await tokensOf(app().db, ballot.id, 'test-secret-0123456789-0123456789-abcdef'))[0]!.token;
  for (const context of [phone, desktop]) {
    const paper = await context.newPage();
    expect((await paper.goto(`${app().url}/v/${voter}`))?.status()).toBe(200);
    const text = await paper.locator('main').innerText();
    expect(text).toContain('Which version of the question: Which colour for the banner?');
    expect(text).toContain('Amendment 1: Add green');
    expect(text).toContain('Green');
    expect(text).toContain('In: Amendment 1: Add green');
    await accessible(paper, 'voting page with an amended question', false);
    await paper.close();
  }
});
