import fs from 'node:fs';
import { type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { tempDirPerFile } from '../support/temp-dir';
import { ballotWithTrusteesInvited, checkedTrustees } from '../support/trustees';

/**
 * `omov trustee … --server URL --token-file FILE` (docs/verifiable.md): the trustees fetch
 * what the server relays and send each step themselves, without curl; `status` shows the
 * next step and every certificate's fingerprint. The token file may hold the mailed link.
 */
let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
});
afterAll(async () => {
  await app?.close();
});
const at = tempDirPerFile('omov-trustee-server-');

test('three trustees make the key with omov trustee talking to the server', async () => {
  const b = await ballotWithTrusteesInvited(org, 'Keys by CLI');
  const tokens = b.tokens;
  // Trustee 1 keeps the whole link, as mailed; the others only the token.
  tokens.forEach((token, i) =>
    fs.writeFileSync(at(`t${i + 1}.token`), i === 0 ? `${app.url}/trustee#${token}\n` : token),
  );
  const server = (i: number) => ['--server', app.url, '--token-file', at(`t${i}.token`)];
  const run = async (...argv: string[]) => {
    const r = await omov('trustee', ...argv);
    if (r.code !== 0) throw new Error(`omov trustee ${argv.join(' ')}: ${r.err}`);
    return r;
  };

  // Refusals that name what is wrong: a flag without its pair, a token file with no token,
  // a step before the others' messages are in.
  const alone = await omov('trustee', 'certificate', '--secrets', at('x'), '--server', app.url);
  expect([alone.code, alone.err.trim()]).toEqual([2, 'omov: --server and --token-file go together']);
  fs.writeFileSync(at('bad.token'), 'not a token');
  const bad = await omov('trustee', 'status', '--server', app.url, '--token-file', at('bad.token'));
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('no token in it');

  const fingerprints: string[] = [];
  for (const i of [1, 2, 3]) {
    const r = await run('certificate', '--secrets', at(`t${i}.secrets`), ...server(i));
    fingerprints.push(/fingerprint, to compare with the other trustees: (\S+)/.exec(r.err)![1]!);
    if (i === 1) {
      expect(r.err).toContain('Your next step: waiting.');
      const early = await omov('trustee', 'polynomial', '--secrets', at('t1.secrets'), ...server(1));
      expect(early.code).toBe(2);
      expect(early.err).toContain("not every trustee's certificate is on the server yet");
    }
  }
  const status = JSON.parse((await run('status', ...server(2))).out);
  expect(status).toMatchObject({ ballot: 'Keys by CLI', position: 2, threshold: 2, next: 'polynomial', fingerprints });

  for (const i of [1, 2, 3]) await run('polynomial', '--secrets', at(`t${i}.secrets`), ...server(i));
  for (const i of [1, 2, 3])
    await run('key', '--secrets', at(`t${i}.secrets`), '--key-out', at(`t${i}.key`), ...server(i));
  expect(JSON.parse((await run('status', ...server(3))).out)).toMatchObject({ next: 'done' });

  await checkedTrustees(app.db, b.id);

  // A refusal from the server is the server's own sentence.
  const again = await omov('trustee', 'certificate', '--secrets', at('t1b.secrets'), ...server(1));
  expect(again.code).toBe(2);
  expect(again.err).toContain('the server refused it (409)');
});
