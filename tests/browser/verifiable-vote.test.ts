import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { parseBallotAudit } from '@omov/core/crypto/audit';
import { parseBallot } from '@omov/core/crypto/ballot';
import { publicCredential } from '@omov/core/crypto/credential';
import { parseElection } from '@omov/core/crypto/election';
import { decryptTally, makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { axeContext, axeViolations, describeViolations, launchBrowser, newContext } from '../support/browser';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';

/**
 * The member's voting page of a verifiable ballot (docs/verifiable.md) in Chromium, against
 * the real server: four members vote in their browsers, one audits a ballot first (the
 * Benaloh challenge, checked in the page and by `omov verify-ballot-audit`) and then casts a
 * fresh one; the trackers the pages show before and after casting are the board's; no request
 * ever carries a credential, a plaintext or the audited ballot; the ballot refuses re-voting,
 * so a second ballot is refused with its message; the trustees decrypt, and belenios-tool
 * verifies the archive and computes the same result.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-browser.js') as { bundle: () => Promise<void> };

const BELENIOS_TOOL = '/usr/bin/belenios-tool';
let app: TestApp;
let browser: Browser;
let org: Client;
let dir: string;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser(), bundle()]);
  org = await setUpOrganisation(app);
  const roll = ['email,name,branch', ...Array.from({ length: 5 }, (_, i) => `m${i}@example.org,Member ${i},North`)];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-vote-'));
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
const stepIs = (page: Page, step: string) => page.locator(`#verifiable-vote-app[data-step="${step}"]`).waitFor();
const shownTracker = (page: Page) => page.locator('#verifiable-vote-app code.tracker').textContent();
async function axeClean(page: Page, where: string) {
  expect(describeViolations(where, await axeViolations(page))).toBe('');
}

/** Marks the answers: per question, the labels to tick ("Blank vote (abstain)" for a blank one). */
async function mark(page: Page, answers: string[][]) {
  for (const [qi, labels] of answers.entries())
    for (const label of labels) await page.locator(`#question-${qi}`).getByLabel(label, { exact: true }).check();
}

test(
  'members vote in their browsers, one audits first; trackers match the board; belenios-tool verifies the archive',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Browser election',
      questions: [
        { title: 'Adopt the budget?', method: 'yesno' },
        {
          title: 'Approve the candidates',
          method: 'approval',
          settings: { seats: 1, maxMarks: 2 },
          options: [{ label: 'Ada' }, { label: 'Ben' }, { label: 'Cy' }],
        },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara', revoting: false },
    });
    expect(created.status).toBe(201);
    expect(created.body.mode).toMatchObject({ kind: 'verifiable', revoting: false });
    const id: string = created.body.id;
    const trustees = await makeTrusteeKeys(app.url, organiser, id, 3, 2);
    const credentials = [...(await makeMemberCredentials(app.url, organiser, id)).values()];
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
    const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
    // The refusal of re-voting is committed with the ballot's opening.
    const log = (await org.json('GET', '/api/v1/audit-log')).body;
    expect(JSON.stringify(log)).toContain('"revoting":false');

    // Everything every page sends, to look for what must never leave the browser.
    const sent: Request[] = [];
    const watch = (page: Page) => page.on('request', (r) => void sent.push(r));

    // Member 0: the link carries the credential in its fragment; axe checks each step.
    const first = await (await axeContext(browser)).newPage();
    watch(first);
    await first.goto(`${app.url}/verifiable-vote/${id}#${credentials[0]}`);
    await stepIs(first, 'form');
    expect(first.url()).toBe(`${app.url}/verifiable-vote/${id}`);
    await expect(first.locator('#credential').inputValue()).resolves.toBe(credentials[0]);
    await axeClean(first, 'the form');

    // Nothing chosen, then too many: the errors name the question, and the page stays.
    await first.locator('#question-1').getByLabel('Ada', { exact: true }).check();
    await first.locator('#question-1').getByLabel('Ben', { exact: true }).check();
    await first.locator('#question-1').getByLabel('Cy', { exact: true }).check();
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await first.getByRole('link', { name: /“Adopt the budget\?”: Choose one, or vote blank/ }).waitFor();
    await first.getByRole('link', { name: /“Approve the candidates”: you chose 3/ }).waitFor();
    await expect(first.locator('#question-1').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(first.locator('#vote-errors h2').evaluate((h) => h === h.ownerDocument.activeElement)).resolves.toBe(
      true,
    );
    await axeClean(first, 'the form with errors');
    await first.locator('#question-1').getByLabel('Cy', { exact: true }).uncheck();
    await mark(first, [['Yes'], []]);
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(first, 'encrypted');
    const audited = await shownTracker(first);
    await axeClean(first, 'the encrypted ballot');

    // The Benaloh challenge: the page checks the revealed ballot, and offers it for omov to check.
    await first.getByRole('button', { name: 'Audit this ballot instead (it will not be cast)' }).click();
    await stepIs(first, 'audited');
    await first.getByText('The check holds: this ballot encrypts exactly the answers you chose.').waitFor();
    await axeClean(first, 'the audited ballot');
    const [download] = await Promise.all([
      first.waitForEvent('download'),
      first.getByRole('link', { name: 'Save the audit file' }).click(),
    ]);
    const auditFile = path.join(dir, 'audit.json');
    await download.saveAs(auditFile);
    const audit = parseBallotAudit(fs.readFileSync(auditFile, 'utf8'));
    expect(audit.tracker).toBe(audited);
    expect(audit.plaintext).toEqual([
      [0, 1, 0],
      [0, 1, 1, 0],
    ]);
    const checked = await omov('verify-ballot-audit', auditFile, '--server', app.url, '--ballot', id);
    expect(checked).toMatchObject({ code: 0 });
    expect(checked.out).toContain('Adopt the budget?: Yes');
    expect(checked.out).toContain('Approve the candidates: Ada, Ben');
    // A page that encrypted something other than what it showed is caught.
    const lying = path.join(dir, 'lying.json');
    fs.writeFileSync(
      lying,
      JSON.stringify({
        ...JSON.parse(fs.readFileSync(auditFile, 'utf8')),
        plaintext: [
          [0, 0, 1],
          [0, 1, 1, 0],
        ],
      }),
    );
    const caught = await omov('verify-ballot-audit', lying, '--server', app.url, '--ballot', id);
    expect(caught.code).toBe(1);
    expect(caught.err).toContain('the page encrypted something else');

    // A fresh encryption of the same answers, with its own tracker, is cast.
    await first.getByRole('button', { name: 'Encrypt a fresh ballot with the same answers' }).click();
    await stepIs(first, 'encrypted');
    const before = await shownTracker(first);
    expect(before).not.toBe(audited);
    await first.getByRole('button', { name: 'Cast this ballot' }).click();
    await stepIs(first, 'cast');
    expect(await shownTracker(first)).toBe(before);
    await axeClean(first, 'the cast ballot');
    const trackers = [before!];

    // Members 1 to 3 type their credential (one without its dashes) and vote.
    const choices: string[][][] = [
      [['No'], ['Cy']],
      [['Blank vote (abstain)'], ['Ada']],
      [['Yes'], []],
    ];
    for (const [i, answers] of choices.entries()) {
      const page = await (await newContext(browser)).newPage();
      watch(page);
      await page.goto(`${app.url}/verifiable-vote/${id}`);
      await stepIs(page, 'form');
      await page.locator('#credential').fill(i === 0 ? credentials[i + 1]!.replaceAll('-', '') : credentials[i + 1]!);
      await mark(page, answers);
      await page.getByRole('button', { name: 'Encrypt my ballot' }).click();
      await stepIs(page, 'encrypted');
      const tracker = await shownTracker(page);
      await page.getByRole('button', { name: 'Cast this ballot' }).click();
      await stepIs(page, 'cast');
      expect(await shownTracker(page)).toBe(tracker);
      trackers.push(tracker!);
      if (i === 2) {
        // This ballot refuses re-voting: a second ballot is refused, and the page says why.
        await page.goto(`${app.url}/verifiable-vote/${id}`);
        await stepIs(page, 'form');
        await mark(page, [['No'], ['Ben']]);
        await page.getByRole('button', { name: 'Encrypt my ballot' }).click();
        await stepIs(page, 'encrypted');
        await page.getByRole('button', { name: 'Cast this ballot' }).click();
        await page
          .getByText('this credential has voted already, and this ballot does not allow voting again', { exact: false })
          .waitFor();
      }
    }

    // The board holds exactly the trackers the pages showed; the audited one is not there.
    const board = (await org.json('GET', `/api/v1/ballots/${id}/verifiable-board`)).body;
    expect(board.ballots.map((b: { tracker: string }) => b.tracker).sort()).toEqual([...trackers].sort());

    // What the pages sent: no credential anywhere, no plaintext, never the audited ballot; each
    // ballot posted is signed by its member's public credential.
    const posts = sent.filter((r) => r.method() === 'POST');
    expect(posts).toHaveLength(5);
    for (const r of sent) {
      const all = `${r.url()} ${JSON.stringify(await r.allHeaders())} ${r.postData() ?? ''}`;
      for (const c of credentials) {
        expect(all).not.toContain(c);
        expect(all).not.toContain(c.replaceAll('-', ''));
      }
      expect(all).not.toContain(audit.ballot);
      expect(all).not.toMatch(/plaintext|randomness/);
    }
    const publicOf = (c: string) => publicCredential(election.group, election.uuid, c);
    expect(posts.map((r) => parseBallot(r.postData()!).credential)).toEqual(
      [0, 1, 2, 3, 3].map((i) => publicOf(credentials[i]!)),
    );

    // The count: two trustees decrypt; the result is what was cast; belenios-tool agrees.
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await decryptTally(app.url, trustees, 2);
    const results = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body;
    expect(results.questions[0].options).toEqual([
      { option: 'Yes', votes: '2' },
      { option: 'No', votes: '1' },
    ]);
    expect(results.questions[0].abstentions).toBe('1');
    expect(results.questions[1].options).toEqual([
      { option: 'Ada', votes: '2' },
      { option: 'Ben', votes: '1' },
      { option: 'Cy', votes: '1' },
    ]);
    const archive = await org.request('GET', `/api/v1/ballots/${id}/belenios-archive`);
    const where = path.join(dir, 'archive');
    fs.mkdirSync(where);
    const name = /filename="([^"]+)"/.exec(archive.headers.get('content-disposition') ?? '')![1]!;
    fs.writeFileSync(path.join(where, name), Buffer.from(await archive.arrayBuffer()));
    execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', where], { stdio: 'pipe' });
    const computed = JSON.parse(
      execFileSync(BELENIOS_TOOL, ['election', 'compute-result', '--dir', where], { encoding: 'utf8' }),
    );
    // Per question: blank, then each answer. Member 3's Yes with no candidate is a blank approval.
    expect(computed).toEqual({
      result: [
        [1, 2, 1],
        [1, 2, 1, 1],
      ],
    });
  },
  scaled(600_000),
);

test('the page says plainly that it needs JavaScript, and what to do without it', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'No script',
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
  });
  const id: string = created.body.id;
  // Not open: no page.
  expect((await page.goto(`${app.url}/verifiable-vote/${id}`))!.status()).toBe(404);
  await makeTrusteeKeys(app.url, organiser, id, 1, 1);
  await makeMemberCredentials(app.url, organiser, id);
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  await page.goto(`${app.url}/verifiable-vote/${id}`);
  // Playwright's text search skips <noscript>; its paragraph is read as it stands.
  await expect(page.locator('noscript p').textContent()).resolves.toMatch(
    /^This page needs JavaScript: .* Without JavaScript, do the same steps with omov vote on your own computer/s,
  );
  await expect(page.locator('#verifiable-vote-app').innerHTML()).resolves.toBe('');
  await context.close();
});

/** Ranks a ranked question's candidates: each label's rank ("" for not ranked). */
async function rank(page: Page, qi: number, ranks: Record<string, string>) {
  for (const [label, r] of Object.entries(ranks))
    await page.locator(`#question-${qi}`).getByLabel(label, { exact: true }).selectOption(r);
}

test(
  'members rank an STV question in their browsers, one audits first; the trustees shuffle and decrypt; belenios-tool verifies',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Ranked browser election',
      questions: [
        { title: 'Adopt the budget?', method: 'yesno' },
        { title: 'Approve the auditors', method: 'approval', options: [{ label: 'Ada' }, { label: 'Ben' }] },
        {
          title: 'Committee',
          method: 'stv',
          settings: { seats: 2 },
          options: [{ label: 'Dee' }, { label: 'Eli' }, { label: 'Fay' }],
        },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const trustees = await makeTrusteeKeys(app.url, organiser, id, 3, 2);
    const credentials = [...(await makeMemberCredentials(app.url, organiser, id)).values()];
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);

    // Member 0: a rank given twice is refused, naming the question; then an audit, then a fresh ballot cast.
    const first = await (await axeContext(browser)).newPage();
    await first.goto(`${app.url}/verifiable-vote/${id}#${credentials[0]}`);
    await stepIs(first, 'form');
    await axeClean(first, 'the form with a ranked question');
    await mark(first, [['Yes'], ['Ada']]);
    await rank(first, 2, { Dee: '1', Eli: '1' });
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await first.getByRole('link', { name: /“Committee”: rank 1 is given to 2 candidates/ }).waitFor();
    await expect(first.locator('#question-2').getAttribute('aria-invalid')).resolves.toBe('true');
    await axeClean(first, 'the ranked question with an error');
    await rank(first, 2, { Eli: '3' });
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await first.getByRole('link', { name: /“Committee”: rank 2 is missing/ }).waitFor();
    await rank(first, 2, { Eli: '2', Fay: '' });
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(first, 'encrypted');
    await first.getByText('Committee: 1. Dee, 2. Eli').waitFor();
    await first.getByRole('button', { name: 'Audit this ballot instead (it will not be cast)' }).click();
    await stepIs(first, 'audited');
    await first.getByText('The check holds: this ballot encrypts exactly the answers you chose.').waitFor();
    await axeClean(first, 'the audited ranked ballot');
    await first.getByRole('button', { name: 'Encrypt a fresh ballot with the same answers' }).click();
    await stepIs(first, 'encrypted');
    const tracker = await shownTracker(first);
    await first.getByRole('button', { name: 'Cast this ballot' }).click();
    await stepIs(first, 'cast');
    expect(await shownTracker(first)).toBe(tracker);
    await axeClean(first, 'the cast ranked ballot');

    // Members 1 to 3 rank and cast, on a phone-sized screen.
    const rankings: Array<Record<string, string>> = [
      { Dee: '2', Eli: '', Fay: '1' },
      { Dee: '1', Eli: '', Fay: '2' },
      { Dee: '', Eli: '1', Fay: '' },
    ];
    for (const [i, ranks] of rankings.entries()) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${app.url}/verifiable-vote/${id}#${credentials[i + 1]}`);
      await stepIs(page, 'form');
      await mark(page, [['No'], []]);
      await rank(page, 2, ranks);
      await page.getByRole('button', { name: 'Encrypt my ballot' }).click();
      await stepIs(page, 'encrypted');
      await page.getByRole('button', { name: 'Cast this ballot' }).click();
      await stepIs(page, 'cast');
      await context.close();
    }

    // The count: two trustees shuffle, then decrypt; the result is omov's count of the rankings cast.
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await decryptTally(app.url, trustees, 2);
    const results = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body;
    expect(results.questions[0].options).toEqual([
      { option: 'Yes', votes: '1' },
      { option: 'No', votes: '3' },
    ]);
    // Dee has 2 of the 4 first preferences, the Droop quota for 2 seats: she is elected.
    expect(results.questions[2].elected).toHaveLength(2);
    expect(results.questions[2].elected).toContain('Dee');
    const archive = await org.request('GET', `/api/v1/ballots/${id}/belenios-archive`);
    const where = path.join(dir, 'ranked-archive');
    fs.mkdirSync(where);
    const name = /filename="([^"]+)"/.exec(archive.headers.get('content-disposition') ?? '')![1]!;
    fs.writeFileSync(path.join(where, name), Buffer.from(await archive.arrayBuffer()));
    execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', where], { stdio: 'pipe' });
    const computed = JSON.parse(
      execFileSync(BELENIOS_TOOL, ['election', 'compute-result', '--dir', where], { encoding: 'utf8' }),
    ) as { result: [number[], number[], number[][]] };
    expect(computed.result[0]).toEqual([0, 1, 3]);
    expect(computed.result[2].map((r) => r.join(',')).sort()).toEqual(['0,1,0', '1,0,2', '1,2,0', '2,0,1']);
  },
  scaled(900_000),
);
