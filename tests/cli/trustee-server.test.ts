import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupNamed } from '@omov/core/crypto/group';
import { checkTrustees, parseTrustees } from '@omov/core/crypto/trustee';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';

/**
 * `omov trustee … --server URL --token-file FILE` (docs/verifiable.md): the trustees fetch
 * what the server relays and send each step themselves, without curl; `status` shows the
 * next step and every certificate's fingerprint. The token file may hold the mailed link.
 */
const G = groupNamed('BELENIOS-2048');
let app: TestApp;
let org: Client;
let dir: string;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-trustee-server-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);

test('three trustees make the key with omov trustee talking to the server', async () => {
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Keys by CLI',
      questions: [{ title: 'Adopt?', method: 'yesno' }],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
    })
  ).body;
  const invited = await org.json('POST', `/api/v1/ballots/${b.id}/trustees`, { names: ['Ann', 'Bob', 'Cy'] });
  const tokens: string[] = invited.body.trustees.map((t: { token: string }) => t.token);
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

  const stored = await app.db
    .selectFrom('ballot_election_keys')
    .selectAll()
    .where('ballot_id', '=', b.id)
    .executeTakeFirstOrThrow();
  expect(checkTrustees(G, parseTrustees(stored.trustees))).toBe(true);

  // A refusal from the server is the server's own sentence.
  const again = await omov('trustee', 'certificate', '--secrets', at('t1b.secrets'), ...server(1));
  expect(again.code).toBe(2);
  expect(again.err).toContain('the server refused it (409)');
});
