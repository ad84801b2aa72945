import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { certificateFingerprint, certificateOf, parseTrusteeSecrets } from '@omov/core/crypto/dkg';
import { gPow } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { type Client, setUpOrganisation } from '../support/app';
import { axeContext, axeViolations, describeViolations, DESKTOP, newContext } from '../support/browser';
import { omov } from '../support/cli';
import { tempDirPerFile } from '../support/temp-dir';
import { ballotWithTrusteesInvited, checkedTrustees, G } from '../support/trustees';
import { browserAndAppPerFile } from './helpers';

/**
 * The trustee page (docs/verifiable.md) in Chromium: three trustees (threshold 2) make the
 * election's key in their browsers, each keeping their secrets only in a file they save and
 * load again; trustee 3 made theirs with `omov trustee certificate`, and the page takes it,
 * and sends their polynomial with `omov trustee polynomial --server`: the two are interchangeable.
 * Every page shows the same certificate fingerprints, the pages are axe-clean, the
 * resulting trustees entry checks in the core, and each saved key share is the one behind
 * its verification key.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-browser.js') as { bundle: () => Promise<void> };

let org: Client;
const { app, browser } = browserAndAppPerFile();
beforeAll(async () => {
  await bundle();
  org = await setUpOrganisation(app());
});
const at = tempDirPerFile('omov-trustee-page-');
const stepIs = (page: Page, next: string) => page.locator(`#trustee-app[data-next="${next}"]`).waitFor();
async function axeClean(page: Page, where: string) {
  const v = await axeViolations(page);
  expect(describeViolations(where, v)).toBe('');
}

test('three trustees make the key in their browsers; the core checks the trustees entry', async () => {
  const b = await ballotWithTrusteesInvited(org, 'Keys in the browser');
  const tokens = b.tokens;

  // Trustee 1's page is checked by axe (its context lets axe's script in); the others run under the real CSP.
  const contexts = await Promise.all([axeContext(browser()), newContext(browser(), DESKTOP), newContext(browser())]);
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  for (const [i, page] of pages.entries()) {
    await page.goto(`${app().url}/trustee#${tokens[i]}`);
    await stepIs(page, 'certificate');
    // The token leaves the address bar at once: it is in no screenshot, history entry or bookmark.
    expect(page.url()).toBe(`${app().url}/trustee`);
  }
  await expect(pages[0]!.getByText('You are trustee 1 of 3 (Ann)').count()).resolves.toBe(1);
  await axeClean(pages[0]!, 'step 1');

  // Step 1. Trustees 1 and 2 make their keys in the page and load the saved file back;
  // trustee 3 made theirs with `omov trustee certificate`, and loads that file.
  for (const i of [0, 1]) {
    const page = pages[i]!;
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Make my keys and save my secrets file' }).click(),
    ]);
    await saved.saveAs(at(`t${i + 1}.secrets`));
    await page.setInputFiles('#secrets-1', at(`t${i + 1}.secrets`));
    await stepIs(page, 'waiting');
  }
  const made = await omov('trustee', 'certificate', '--secrets', at('t3.secrets'));
  expect(made.code).toBe(0);
  await pages[2]!.setInputFiles('#secrets-1', at('t3.secrets'));
  // The last certificate in: each page finds out by itself and shows step 2.
  for (const page of pages) await stepIs(page, 'polynomial');

  // Every page shows the same fingerprints, and each is the one its trustee computes from their own secrets.
  const expected = [1, 2, 3].map((i) =>
    certificateFingerprint(
      certificateOf(G, parseTrusteeSecrets(fs.readFileSync(at(`t${i}.secrets`), 'utf8')), systemRandom),
    ),
  );
  for (const page of pages) await expect(page.locator('td code').allTextContents()).resolves.toEqual(expected);
  await axeClean(pages[0]!, 'step 2 with the fingerprints');

  // A secrets file that is another trustee's is refused, naming both.
  await pages[0]!.setInputFiles('#secrets-2', at('t2.secrets'));
  await pages[0]!.getByText("this secrets file is trustee 2's, and this page is trustee 1's").waitFor();

  // Step 2: trustees 1 and 2 in the page; trustee 3 with `omov trustee polynomial` talking to the server.
  for (const i of [0, 1]) await pages[i]!.setInputFiles('#secrets-2', at(`t${i + 1}.secrets`));
  fs.writeFileSync(at('t3.token'), tokens[2]!);
  const sent = await omov(
    'trustee',
    'polynomial',
    '--secrets',
    at('t3.secrets'),
    '--server',
    app().url,
    '--token-file',
    at('t3.token'),
  );
  expect(sent.code).toBe(0);
  for (const page of pages) await stepIs(page, 'verification-key');

  // Step 3: each page checks the shares, offers the key share to save, and sends the verification key.
  for (const [i, page] of pages.entries()) {
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.setInputFiles('#secrets-3', at(`t${i + 1}.secrets`)),
    ]);
    await saved.saveAs(at(`t${i + 1}.key`));
  }
  for (const page of pages) await stepIs(page, 'done');
  await axeClean(pages[0]!, 'done');

  const trustees = await checkedTrustees(app().db, b.id);
  // Each saved key share is the secret behind its trustee's verification key.
  const pedersen = trustees[0]!;
  if (pedersen.kind !== 'Pedersen') throw new Error('a Pedersen entry was expected');
  for (let i = 1; i <= 3; i++) {
    const share = BigInt(JSON.parse(fs.readFileSync(at(`t${i}.key`), 'utf8')) as string);
    expect(gPow(G, share)).toBe(pedersen.verificationKeys[i - 1]!.publicKey);
  }
  await Promise.all(contexts.map((c) => c.close()));
});

test('without a link, the page says so; its scripts are our own, and it says it needs JavaScript', async () => {
  const context = await newContext(browser(), { ...DESKTOP, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${app().url}/trustee`);
  await expect(page.locator('noscript').textContent()).resolves.toContain('This page needs JavaScript');
  await context.close();
  const withScript = await newContext(browser());
  const again = await withScript.newPage();
  await again.goto(`${app().url}/trustee`);
  await again.getByText('This page needs your own trustee link').waitFor();
  await withScript.close();
});
