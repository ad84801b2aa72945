import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { launchBrowser, newContext } from '../support/browser';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';
import { type SmtpSink, startSmtpSink } from '../support/smtp';
import {
  beleniosOnArchive,
  BELENIOS_TOOL,
  cli,
  credentialsByCli,
  trusteeApi,
  trusteeKeysByCli,
} from '../support/verifiable-cli';

/**
 * The whole verifiable election (docs/verifiable.md), each person with their own tool:
 * three trustees (any two decrypt) make the election key with `omov trustee`; the credential
 * authority makes the credentials with `omov credentials generate` and mails them with
 * `omov credentials send` through an SMTP server on loopback; 40 members read their mail,
 * follow its link and vote in their own browser sessions in Chromium (a yes/no, an approval
 * and an STV question), three of them auditing an encryption first; two trustees shuffle the
 * STV ballots and decrypt with `omov trustee` against the server; the result is what the
 * members chose, belenios-tool verifies the archive and computes the same result (the same
 * rankings, after two shuffles), and `omov verify` passes the election record.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-browser.js') as { bundle: () => Promise<void> };

const MEMBERS = 40;
const AUDITORS = new Set([3, 17, 31]);
let app: TestApp;
let smtp: SmtpSink;
let browser: Browser;
let org: Client;
let dir: string;
beforeAll(async () => {
  if (!fs.existsSync(BELENIOS_TOOL)) throw new Error(`${BELENIOS_TOOL} is missing: apt-get install belenios-tool`);
  [app, smtp, browser] = await Promise.all([startTestApp(), startSmtpSink(), launchBrowser(), bundle()]);
  org = await setUpOrganisation(app);
  const roll = [
    'email,name,branch',
    ...Array.from({ length: MEMBERS }, (_, i) => `m${i}@example.org,Member ${i},${i % 5 < 3 ? 'North' : 'South'}`),
  ];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-election-'));
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);
const CANDIDATES = ['Ada', 'Ben', 'Cy'];
/** What member i chooses: a yes/no answer (or blank) and the candidates they approve (none: blank). */
const choiceOf = (i: number): { budget: 'Yes' | 'No' | 'Blank vote (abstain)'; approve: string[] } => ({
  budget: i % 7 === 6 ? 'Blank vote (abstain)' : i % 3 === 0 ? 'No' : 'Yes',
  approve: i % 11 === 10 ? [] : [CANDIDATES[i % 3]!, ...(i % 4 === 0 ? [CANDIDATES[(i + 1) % 3]!] : [])],
});

const COMMITTEE = ['Dee', 'Eli', 'Fay'];
const ORDERS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];
/** Member i's ranking of the committee's candidates (indices, first preference first); every fifth ranks two. */
const rankingOf = (i: number): number[] => ORDERS[(i * 7) % 6]!.slice(0, i % 5 === 0 ? 2 : 3);
/** The ranking as Belenios decrypts it: per candidate its rank (1 is first), 0 if unranked. */
const beleniosRanks = (ranking: number[]) => COMMITTEE.map((_, c) => ranking.indexOf(c) + 1);

const stepIs = (page: Page, step: string) => page.locator(`#verifiable-vote-app[data-step="${step}"]`).waitFor();
const shownTracker = async (page: Page) => (await page.locator('#verifiable-vote-app code.tracker').textContent())!;

/** A member votes from the credential mail they were sent: follows its link, types the credential, encrypts, casts. */
async function voteFromMail(i: number): Promise<string> {
  const mail = smtp.received.find((m) => m.to.includes(`m${i}@example.org`));
  if (!mail) throw new Error(`member ${i} got no credential mail`);
  const text = mail.raw.replace(/=\r?\n/g, '');
  const credential = /\b[1-9A-HJ-NP-Za-km-z]{3}(?:-[1-9A-HJ-NP-Za-km-z]{3}){4}\b/.exec(text)![0];
  const link = /https?:\/\/\S+\/verifiable-vote\/[0-9a-f-]{36}/.exec(text)![0];
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(link);
    await stepIs(page, 'form');
    await page.locator('#credential').fill(credential);
    const { budget, approve } = choiceOf(i);
    await page.locator('#question-0').getByLabel(budget, { exact: true }).check();
    // No candidate ticked is a blank approval.
    for (const c of approve) await page.locator('#question-1').getByLabel(c, { exact: true }).check();
    for (const [rank, c] of rankingOf(i).entries())
      await page
        .locator('#question-2')
        .getByLabel(COMMITTEE[c]!, { exact: true })
        .selectOption(String(rank + 1));
    await page.getByRole('button', { name: 'Encrypt my ballot' }).click();
    await stepIs(page, 'encrypted');
    if (AUDITORS.has(i)) {
      // The Benaloh challenge: this encryption is opened and checked, never cast; a fresh one is.
      const audited = await shownTracker(page);
      await page.getByRole('button', { name: 'Audit this ballot instead (it will not be cast)' }).click();
      await stepIs(page, 'audited');
      await page.getByText('The check holds: this ballot encrypts exactly the answers you chose.').waitFor();
      await page.getByRole('button', { name: 'Encrypt a fresh ballot with the same answers' }).click();
      await stepIs(page, 'encrypted');
      expect(await shownTracker(page)).not.toBe(audited);
    }
    const tracker = await shownTracker(page);
    await page.getByRole('button', { name: 'Cast this ballot' }).click();
    await stepIs(page, 'cast');
    expect(await shownTracker(page)).toBe(tracker);
    return tracker;
  } finally {
    await context.close();
  }
}

test(
  'a whole verifiable election: trustees and the credential authority with the CLI, 40 members in Chromium, belenios-tool verifies',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Whole election',
      questions: [
        { title: 'Adopt the budget?', method: 'yesno' },
        {
          title: 'Approve the candidates',
          method: 'approval',
          settings: { seats: 1, maxMarks: 2 },
          options: CANDIDATES.map((label) => ({ label })),
        },
        { title: 'Committee', method: 'stv', settings: { seats: 2 }, options: COMMITTEE.map((label) => ({ label })) },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const { tokens, keyFile } = await trusteeKeysByCli(app, org, id, at, ['Ann', 'Bob', 'Cy'], 2);
    const { credentials } = await credentialsByCli(app, org, id, at);
    expect(credentials.size).toBe(MEMBERS);
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);

    // The authority mails each member their credential through their own SMTP server.
    const sent = await omov(
      'credentials',
      'send',
      '--private',
      at('private.csv'),
      '--addresses',
      at('addresses.json'),
      '--from',
      'cara@authority.example',
      '--smtp-host',
      '127.0.0.1',
      '--smtp-port',
      String(smtp.port),
      '--progress',
      at('progress.txt'),
      '--link',
      `${app.url}/verifiable-vote/${id}`,
    );
    expect(sent.code).toBe(0);
    expect(smtp.received).toHaveLength(MEMBERS);

    const trackers: string[] = [];
    for (let i = 0; i < MEMBERS; i++) trackers.push(await voteFromMail(i));
    const board = (await org.json('GET', `/api/v1/ballots/${id}/verifiable-board`)).body;
    expect(board.ballots.map((b: { tracker: string }) => b.tracker).sort()).toEqual([...trackers].sort());

    // The close; then two of the three trustees, each with their own link's token, shuffle the
    // committee's ballots in turn and decrypt, with omov trustee against the server.
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    for (const n of [1, 3]) fs.writeFileSync(at(`t${n}.token`), tokens[n - 1]!);
    expect((await trusteeApi(app, tokens[0]!).get()).body.next).toBe('shuffle');
    for (const n of [1, 3]) await cli('trustee', 'shuffle', '--server', app.url, '--token-file', at(`t${n}.token`));
    for (const n of [1, 3]) {
      expect((await trusteeApi(app, tokens[n - 1]!).get()).body.next).toBe('decrypt');
      await cli('trustee', 'decrypt', '--key', keyFile(n), '--server', app.url, '--token-file', at(`t${n}.token`));
    }

    // The result is what the members chose.
    const expected = { Yes: 0, No: 0, budgetBlank: 0, Ada: 0, Ben: 0, Cy: 0, approveBlank: 0 };
    for (let i = 0; i < MEMBERS; i++) {
      const { budget, approve } = choiceOf(i);
      if (budget === 'Blank vote (abstain)') expected.budgetBlank++;
      else expected[budget]++;
      if (approve.length === 0) expected.approveBlank++;
      for (const c of approve) expected[c as 'Ada' | 'Ben' | 'Cy']++;
    }
    const results = await org.json('GET', `/api/v1/ballots/${id}/results`);
    expect(results.status).toBe(200);
    expect(results.body.turnout).toMatchObject({ eligible: MEMBERS, voted: MEMBERS });
    const [budget, candidates] = results.body.questions;
    expect(budget.options).toEqual([
      { option: 'Yes', votes: String(expected.Yes) },
      { option: 'No', votes: String(expected.No) },
    ]);
    expect(budget.abstentions).toBe(String(expected.budgetBlank));
    expect(candidates.options).toEqual(CANDIDATES.map((c) => ({ option: c, votes: String(expected[c as 'Ada']) })));
    expect(candidates.abstentions).toBe(String(expected.approveBlank));

    // Branch figures: North (24 members) and South (16), each over k, so each its own pool.
    const budgetByBranch = new Map<string, number>();
    for (let i = 0; i < MEMBERS; i++)
      if (choiceOf(i).budget === 'Yes') {
        const branch = i % 5 < 3 ? 'North' : 'South';
        budgetByBranch.set(branch, (budgetByBranch.get(branch) ?? 0) + 1);
      }
    const page = await org.request('GET', `/ballots/${id}/results`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('North');
    expect(html).toContain('South');
    const byUnit = budget.byUnit as Array<{ unit: string; options: Array<{ option: string; votes: string }> }>;
    expect(byUnit.map((u) => u.unit).sort()).toEqual(['North', 'South']);
    for (const [branch, yes] of budgetByBranch)
      expect(byUnit.find((u) => u.unit === branch)!.options[0]).toEqual({ option: 'Yes', votes: String(yes) });

    // belenios-tool, which nobody here wrote, accepts the archive and computes the same result.
    const verified = await beleniosOnArchive(app, id, at('archive'));
    expect(verified).toMatchObject({ code: 0, err: '' });
    const computed = await beleniosOnArchive(app, id, at('archive'), ['election', 'compute-result']);
    const beleniosResult = JSON.parse(computed.out) as { result: [number[], number[], number[][]] };
    expect(beleniosResult.result.slice(0, 2)).toEqual([
      [expected.budgetBlank, expected.Yes, expected.No],
      [expected.approveBlank, expected.Ada, expected.Ben, expected.Cy],
    ]);
    // The committee's rankings, shuffled twice and decrypted, are exactly the ones the members cast.
    const cast = Array.from({ length: MEMBERS }, (_, i) => beleniosRanks(rankingOf(i)).join(','));
    expect(beleniosResult.result[2].map((r) => r.join(',')).sort()).toEqual(cast.sort());
    // omov counted them by STV: its first round holds each candidate's first preferences.
    const committee = results.body.questions[2];
    expect(committee.elected).toHaveLength(2);
    const firsts = COMMITTEE.map(
      (_, c) => Array.from({ length: MEMBERS }, (_, i) => rankingOf(i)[0]).filter((f) => f === c).length,
    );
    const firstRound = committee.count.rounds[0].votes as Record<string, string>;
    expect(COMMITTEE.map((c) => Number(firstRound[c]))).toEqual(firsts);

    // The election record passes omov verify.
    const record = await org.request('GET', `/api/v1/ballots/${id}/record`);
    expect(record.status).toBe(200);
    fs.writeFileSync(at('record.json'), await record.text());
    const ours = await omov('verify', at('record.json'));
    expect(ours.code).toBe(0);
    expect(ours.out).toMatch(/VERIFIED: all \d+ checks pass/);
  },
  scaled(1_200_000),
);
