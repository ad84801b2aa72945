import fs from 'node:fs';
import type { Page, Request } from 'playwright-core';
import { publicCredential } from '@omov/core/crypto/credential';
import { ballotTimes, type Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext } from '../support/browser';
import { tempDirPerFile } from '../support/temp-dir';
import { G } from '../support/trustees';
import { browserAndAppPerFile } from './helpers';

/**
 * The credential authority's page (docs/verifiable.md) in Chromium: from the roll the server
 * publishes for them, the authority makes the credentials in their browser, saves the
 * private ones as a file (`member_id,credential`, one line per eligible member) and sends the
 * public ones; the server then publishes exactly the public credentials of the saved private
 * ones, and no request the page made carries a private credential. axe-clean at each step.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-browser.js') as { bundle: () => Promise<void> };

let org: Client;
const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  await bundle();
  org = await setUpOrganisation(app());
  const roll = ['email,name,branch', 'a@example.org,A,North', 'b@example.org,B,North', 'c@example.org,C,South'];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
});
const at = tempDirPerFile('omov-authority-page-');
const stepIs = (page: Page, step: string) => page.locator(`#credential-authority-app[data-step="${step}"]`).waitFor();
async function axeClean(page: Page, where: string) {
  expect(describeViolations(where, await axeViolations(page))).toBe('');
}

test('the authority makes the credentials in the browser; the server receives only the public ones', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Credentials in the browser',
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const invited = await org.json('POST', `/api/v1/ballots/${id}/credential-authority`, {});
  expect(invited.status).toBe(201);
  const token: string = invited.body.token;
  const uuid: string = invited.body.electionUuid;

  const context = await axeContext(browser());
  const page = await context.newPage();
  const sent: Request[] = [];
  page.on('request', (r) => sent.push(r));
  await page.goto(`${app().url}/credential-authority#${token}`);
  await stepIs(page, 'roll');
  // The token leaves the address bar at once.
  expect(page.url()).toBe(`${app().url}/credential-authority`);
  await page.getByText('3 eligible members').waitFor();
  await expect(page.locator('td').allTextContents()).resolves.toEqual(['North', '2', 'South', '1']);
  await axeClean(page, 'the roll');

  const [saved] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Make the credentials and save the private ones' }).click(),
  ]);
  await saved.saveAs(at('private.csv'));
  await stepIs(page, 'made');
  await axeClean(page, 'made');
  const lines = fs.readFileSync(at('private.csv'), 'utf8').split('\n');
  expect(lines[0]).toBe('member_id,credential');
  const rows = lines.slice(1).map((l) => l.split(','));
  const roll = (await await fetch(`${app().url}/api/v1/credential-authority/roll`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.json())) as { members: Array<{ memberId: string }> };
  expect(rows.map((r) => r[0]).sort()).toEqual(roll.members.map((m) => m.memberId).sort());
  const privateCredentials = rows.map((r) => r[1]!);
  expect(new Set(privateCredentials).size).toBe(3);

  await page.getByRole('button', { name: 'Send the public credentials' }).click();
  await stepIs(page, 'sent');
  await axeClean(page, 'sent');

  // The server publishes the public credential of each saved private one, and nothing else.
  const published = await org.json('GET', `/api/v1/ballots/${id}/public-credentials`);
  expect(published.status).toBe(200);
  expect((published.body.credentials as string[]).map((c) => c.split(',')[0]).sort()).toEqual(
    privateCredentials.map((c) => String(publicCredential(G, uuid, c))).sort(),
  );
  expect(published.body.byBranch).toEqual([
    { branch: 'North', credentials: 2 },
    { branch: 'South', credentials: 1 },
  ]);

  // A ranked question added to the draft changes its group: the page says to make them again.
  const edited = await org.json('PUT', `/api/v1/ballots/${id}`, {
    title: 'Credentials in the browser',
    questions: [
      { title: 'Adopt?', method: 'yesno' },
      { title: 'Chair', method: 'irv', options: [{ label: 'Eve' }, { label: 'Fin' }] },
    ],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
  });
  expect(edited.status).toBe(200);
  await page.reload();
  await stepIs(page, 'roll');
  await expect(page.locator('#remake').textContent()).resolves.toBe(
    "The credentials you sent were made for BELENIOS-2048, and the ballot's questions have changed: they now need " +
      'RFC-3526-2048, so the ballot cannot open on them. Make the credentials again below and send them; then ' +
      'deliver the new private credentials (the old ones will not vote).',
  );
  await axeClean(page, 'the credentials to make again');
  await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Make the credentials and save the private ones' }).click(),
  ]);
  await stepIs(page, 'made');
  await page.getByRole('button', { name: 'Send the public credentials' }).click();
  await stepIs(page, 'sent');
  await page.reload();
  await stepIs(page, 'roll');
  await expect(page.locator('#remake').count()).resolves.toBe(0);

  // No request carried a private credential, in its address, headers or body.
  expect(sent.some((r) => r.method() === 'PUT' && r.url().endsWith('/credential-authority/public-credentials'))).toBe(
    true,
  );
  for (const r of sent) {
    const all = `${r.url()}\n${JSON.stringify(await r.allHeaders())}\n${r.postData() ?? ''}`;
    for (const c of privateCredentials) {
      expect(all).not.toContain(c);
      expect(all).not.toContain(c.replace(/-/g, ''));
    }
  }
  await context.close();
});

test('without a link, the page says so, and it says it needs JavaScript', async () => {
  const context = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${app().url}/credential-authority`);
  await expect(page.locator('noscript').textContent()).resolves.toContain('This page needs JavaScript');
  await context.close();
  const withScript = await newContext(browser());
  const again = await withScript.newPage();
  await again.goto(`${app().url}/credential-authority`);
  await again.getByText('This page needs your own credential authority link').waitFor();
  await withScript.close();
});
