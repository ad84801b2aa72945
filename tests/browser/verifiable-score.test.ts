import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { parseBallotAudit } from '@omov/core/crypto/audit';
import { decryptTally, makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { axeContext, axeViolations, describeViolations, launchBrowser, newContext } from '../support/browser';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';

/**
 * A score question on the verifiable voting page (docs/verifiable.md, "Score questions"), in
 * Chromium against the real server: the page shows the question's options together, a list
 * of scores for each; a score for some options only is refused naming the question; one
 * member audits a ballot (checked by `omov verify-ballot-audit`) then casts; one abstains by
 * giving no score; one changes their answers and finds their scores kept; the trustees
 * decrypt, the totals are what was scored, and belenios-tool verifies the archive.
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
  const roll = ['email,name,branch', ...Array.from({ length: 4 }, (_, i) => `m${i}@example.org,Member ${i},North`)];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-score-page-'));
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
/** The score question's fieldset (its options' questions are 1 to 3 of election.json). */
const scoreQuestion = (page: Page) => page.getByRole('group', { name: 'Rate the projects' });
async function score(page: Page, scores: Record<string, string>) {
  for (const [label, s] of Object.entries(scores))
    await scoreQuestion(page).getByLabel(label, { exact: true }).selectOption(s);
}

test(
  'members score options on the verifiable voting page; the totals are what they scored; belenios-tool verifies',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Score in the browser',
      questions: [
        { title: 'Adopt the budget?', method: 'yesno' },
        {
          title: 'Rate the projects',
          method: 'score',
          settings: { seats: 1, maxScore: 5 },
          options: [{ label: 'Library' }, { label: 'Garden' }, { label: 'Pool' }],
        },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const trustees = await makeTrusteeKeys(app.url, organiser, id, 1, 1);
    const credentials = [...(await makeMemberCredentials(app.url, organiser, id)).values()];
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
    const sent: Request[] = [];
    const watch = (page: Page) => page.on('request', (r) => void sent.push(r));

    // Member 0: one fieldset for the score question, a list of scores 0 to 5 (or none) per option.
    const first = await (await axeContext(browser)).newPage();
    watch(first);
    await first.goto(`${app.url}/verifiable-vote/${id}#${credentials[0]}`);
    await stepIs(first, 'form');
    await scoreQuestion(first)
      .getByText('Give each option a score from 0 (lowest) to 5 (highest), or leave every option without a score')
      .waitFor();
    await expect(
      scoreQuestion(first)
        .getByLabel('Garden', { exact: true })
        .locator('option')
        .evaluateAll((os) => os.map((o) => o.textContent)),
    ).resolves.toEqual(['No score', '0', '1', '2', '3', '4', '5']);
    await axeClean(first, 'the form with a score question');

    // Scores for some options only: refused, naming the question and the options left out.
    await first.locator('#question-0').getByLabel('Yes', { exact: true }).check();
    await score(first, { Library: '3' });
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await first
      .getByRole('link', {
        name: '“Rate the projects”: give every option a score, or none to abstain (no score for Garden, Pool).',
      })
      .waitFor();
    await expect(scoreQuestion(first).getAttribute('aria-invalid')).resolves.toBe('true');
    await axeClean(first, 'the score question with an error');
    await score(first, { Garden: '5', Pool: '0' });
    await first.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(first, 'encrypted');
    await first.getByText('Rate the projects: Library 3, Garden 5, Pool 0').waitFor();

    // Audited: the ballot encrypts the scores chosen, and omov's own verifier says so.
    await first.getByRole('button', { name: 'Audit this ballot instead (it will not be cast)' }).click();
    await stepIs(first, 'audited');
    await first.getByText('The check holds: this ballot encrypts exactly the answers you chose.').waitFor();
    await axeClean(first, 'the audited score ballot');
    const [download] = await Promise.all([
      first.waitForEvent('download'),
      first.getByRole('link', { name: 'Save the audit file' }).click(),
    ]);
    const auditFile = path.join(dir, 'audit.json');
    await download.saveAs(auditFile);
    const audit = parseBallotAudit(fs.readFileSync(auditFile, 'utf8'));
    expect(audit.plaintext).toEqual([
      [0, 1, 0],
      [0, 0, 0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 1],
      [0, 1, 0, 0, 0, 0, 0],
    ]);
    const checked = await omov('verify-ballot-audit', auditFile, '--server', app.url, '--ballot', id);
    expect(checked.code).toBe(0);
    expect(checked.out).toContain('Rate the projects: Library 3, Garden 5, Pool 0');
    await first.getByRole('button', { name: 'Encrypt a fresh ballot with the same answers' }).click();
    await stepIs(first, 'encrypted');
    const tracker0 = await shownTracker(first);
    await first.getByRole('button', { name: 'Cast this ballot' }).click();
    await stepIs(first, 'cast');
    expect(await shownTracker(first)).toBe(tracker0);
    const trackers = [tracker0!];

    // Member 1 abstains on the score question (no score at all) and votes No.
    const second = await (await newContext(browser)).newPage();
    watch(second);
    await second.goto(`${app.url}/verifiable-vote/${id}#${credentials[1]}`);
    await stepIs(second, 'form');
    await second.locator('#question-0').getByLabel('No', { exact: true }).check();
    await second.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(second, 'encrypted');
    await second.getByText('Rate the projects: blank').waitFor();
    trackers.push((await shownTracker(second))!);
    await second.getByRole('button', { name: 'Cast this ballot' }).click();
    await stepIs(second, 'cast');

    // Member 2 changes their answers: the scores they gave are still chosen, and one is changed.
    const third = await (await newContext(browser)).newPage();
    watch(third);
    await third.goto(`${app.url}/verifiable-vote/${id}#${credentials[2]}`);
    await stepIs(third, 'form');
    await third.locator('#question-0').getByLabel('Yes', { exact: true }).check();
    await score(third, { Library: '1', Garden: '4', Pool: '2' });
    await third.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(third, 'encrypted');
    await third.getByRole('button', { name: 'Change my answers' }).click();
    await stepIs(third, 'form');
    await expect(scoreQuestion(third).getByLabel('Garden', { exact: true }).inputValue()).resolves.toBe('4');
    await score(third, { Pool: '5' });
    await third.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(third, 'encrypted');
    trackers.push((await shownTracker(third))!);
    await third.getByRole('button', { name: 'Cast this ballot' }).click();
    await stepIs(third, 'cast');

    const board = (await org.json('GET', `/api/v1/ballots/${id}/verifiable-board`)).body;
    expect(board.ballots.map((b: { tracker: string }) => b.tracker).sort()).toEqual([...trackers].sort());
    // No request carries a credential, a plaintext or the audited ballot.
    for (const r of sent) {
      const all = `${r.url()} ${JSON.stringify(await r.allHeaders())} ${r.postData() ?? ''}`;
      for (const c of credentials) expect(all).not.toContain(c);
      expect(all).not.toContain(audit.ballot);
      expect(all).not.toMatch(/plaintext|randomness/);
    }

    // The count: the totals are the scores given; belenios-tool verifies the archive.
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await decryptTally(app.url, trustees, 1);
    const results = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body;
    expect(results.questions[1].options).toEqual([
      { option: 'Library', votes: '4' },
      { option: 'Garden', votes: '9' },
      { option: 'Pool', votes: '5' },
    ]);
    expect(results.questions[1].abstentions).toBe('1');
    const archive = await org.request('GET', `/api/v1/ballots/${id}/belenios-archive`);
    const where = path.join(dir, 'archive');
    fs.mkdirSync(where);
    const name = /filename="([^"]+)"/.exec(archive.headers.get('content-disposition') ?? '')![1]!;
    fs.writeFileSync(path.join(where, name), Buffer.from(await archive.arrayBuffer()));
    execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', where], { stdio: 'pipe' });
    const computed = JSON.parse(
      execFileSync(BELENIOS_TOOL, ['election', 'compute-result', '--dir', where], { encoding: 'utf8' }),
    );
    expect(computed.result.slice(1)).toEqual([
      [1, 0, 1, 0, 1, 0, 0],
      [1, 0, 0, 0, 0, 1, 1],
      [1, 1, 0, 0, 0, 0, 1],
    ]);
  },
  scaled(600_000),
);
