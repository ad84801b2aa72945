import fs from 'node:fs';
import type { Page, Request } from 'playwright-core';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { writeTrusteePrivateKey } from '@omov/core/crypto/trustee';
import { decryptTally, makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations } from '../support/browser';
import { tempDirPerFile } from '../support/temp-dir';
import { browserAndAppPerFile } from './helpers';

/**
 * The trustee page's decryption step (docs/verifiable.md) in Chromium: after the close, a
 * trustee loads the key share file saved at the key generation, the page makes the partial
 * decryption in the browser and sends only that (no request carries the key share); with a
 * second trustee's, the result is computed. axe-clean before and after.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-browser.js') as { bundle: () => Promise<void> };

let org: Client;
const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  await bundle();
  org = await setUpOrganisation(app());
  const roll = ['email,name,branch', 'a@example.org,A,North', 'b@example.org,B,North'];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
});
const at = tempDirPerFile('omov-trustee-decrypt-');
const stepIs = (page: Page, next: string) => page.locator(`#trustee-app[data-next="${next}"]`).waitFor();
async function axeClean(page: Page, where: string) {
  expect(describeViolations(where, await axeViolations(page))).toBe('');
}

test('a trustee decrypts their part of the count in the page; the key share never leaves the browser', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Decrypt in the browser',
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
  const trustees = await makeTrusteeKeys(app().url, organiser, id, 3, 2);
  const credentials = [...(await makeMemberCredentials(app().url, organiser, id)).values()];
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
  const cast = await org.request(
    'POST',
    `/api/v1/ballots/${id}/verifiable-ballots`,
    encryptBallot(election, credentials[0]!, [[0, 1, 0]], systemRandom).text,
    { 'content-type': 'application/json' },
  );
  expect(cast.status).toBe(201);
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);
  // The key share as the page saved it at step 3.
  const keyShare = trustees.keys[0]!;
  fs.writeFileSync(at('t1.key'), writeTrusteePrivateKey(keyShare));

  const context = await axeContext(browser());
  const page = await context.newPage();
  const sent: Request[] = [];
  page.on('request', (r) => sent.push(r));
  await page.goto(`${app().url}/trustee#${trustees.tokens[0]}`);
  await stepIs(page, 'decrypt');
  await axeClean(page, 'decrypt');
  await page.setInputFiles('#key-share', at('t1.key'));
  await stepIs(page, 'done');
  await page.getByRole('heading', { name: 'Your part of the count is done' }).waitFor();
  await axeClean(page, 'decrypted');
  expect(sent.some((r) => r.method() === 'PUT' && r.url().endsWith('/trustee/partial-decryption'))).toBe(true);
  for (const r of sent) expect(`${r.url()}\n${r.postData() ?? ''}`).not.toContain(String(keyShare));
  await context.close();

  // No result from one trustee; with a second one's, the result is computed.
  expect((await org.json('GET', `/api/v1/ballots/${id}/results`)).status).toBe(409);
  await decryptTally(app().url, { tokens: [trustees.tokens[1]!], keys: [trustees.keys[1]!] }, 1);
  expect((await org.json('GET', `/api/v1/ballots/${id}/results`)).status).toBe(200);
});

test('a ranked question: the trustee shuffles its ballots in the page, then decrypts the shuffled ballots there', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Shuffle in the browser',
    questions: [{ title: 'Chair', method: 'irv', options: [{ label: 'Ann' }, { label: 'Bea' }, { label: 'Col' }] }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
  const trustees = await makeTrusteeKeys(app().url, organiser, id, 3, 2);
  const credentials = [...(await makeMemberCredentials(app().url, organiser, id)).values()];
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
  for (const [i, ranks] of [
    [2, 1, 0],
    [3, 1, 2],
  ].entries()) {
    const cast = await org.request(
      'POST',
      `/api/v1/ballots/${id}/verifiable-ballots`,
      encryptBallot(election, credentials[i]!, [ranks!], systemRandom).text,
      { 'content-type': 'application/json' },
    );
    expect(cast.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);
  fs.writeFileSync(at('r1.key'), writeTrusteePrivateKey(trustees.keys[0]!));

  const context = await axeContext(browser());
  const page = await context.newPage();
  await page.goto(`${app().url}/trustee#${trustees.tokens[0]}`);
  await stepIs(page, 'shuffle');
  await axeClean(page, 'shuffle');
  await page.getByRole('button', { name: 'Shuffle the ranked ballots' }).click();
  await stepIs(page, 'waiting');
  await page.getByRole('heading', { name: 'Waiting for the other trustees’ shuffles' }).waitFor();
  // The page's shuffle kept the pools of branches apart: its pool proofs passed the server's check and are kept.
  const kept = await app()
    .db.selectFrom('verifiable_pool_shuffles')
    .select('trustee')
    .where('ballot_id', '=', id)
    .execute();
  expect(kept).toEqual([{ trustee: 1 }]);
  // Trustee 2 shuffles (the second of 2: the shuffles end) and decrypts; the page moves on by itself.
  await decryptTally(app().url, { tokens: [trustees.tokens[1]!], keys: [trustees.keys[1]!] }, 1);
  await stepIs(page, 'decrypt');
  await page.setInputFiles('#key-share', at('r1.key'));
  await stepIs(page, 'done');
  await context.close();
  const results = await org.json('GET', `/api/v1/ballots/${id}/results`);
  expect(results.status).toBe(200);
  expect(results.body.questions[0].elected).toEqual(['Bea']);
});
