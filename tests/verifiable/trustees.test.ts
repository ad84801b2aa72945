import fs from 'node:fs';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { tempDirPerFile } from '../support/temp-dir';
import { checkedTrustees } from '../support/trustees';

/**
 * A verifiable ballot's trustees over HTTP and the CLI (docs/verifiable.md): the organiser
 * names three (threshold 2); each trustee, with their own token and `omov trustee` on their
 * own machine, hands over certificate, polynomial and verification key; the server checks
 * each, relays them, and assembles a key that checks. Wrong messages, wrong tokens and the
 * organiser's own session are refused.
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
const at = tempDirPerFile('omov-trustees-');
const cli = async (...argv: string[]) => {
  const r = await omov('trustee', ...argv);
  if (r.code !== 0) throw new Error(`omov trustee ${argv.join(' ')}: ${r.err}`);
  return JSON.parse(r.out);
};
const mode = { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' };
const ballotInput = () => ({
  title: 'Keys',
  questions: [{ title: 'Adopt?', method: 'yesno' }],
  ...ballotTimes(),
  mode,
});

/** A trustee's own client: their token as a bearer, no session. */
const as = (token: string) => ({
  get: () => new Client(app.url).json('GET', '/api/v1/trustee', undefined, { authorization: `Bearer ${token}` }),
  put: (step: string, body: unknown) =>
    new Client(app.url).json('PUT', `/api/v1/trustee/${step}`, body, { authorization: `Bearer ${token}` }),
});

test('three trustees make the key with omov trustee and their own tokens; the server assembles one that checks', async () => {
  const b = (await org.json('POST', '/api/v1/ballots', ballotInput())).body;
  const tooFew = await org.json('POST', `/api/v1/ballots/${b.id}/trustees`, { names: ['Ann', 'Bob'] });
  expect(tooFew.status).toBe(422);
  expect(tooFew.body.errors).toEqual([{ path: 'names', message: '2 names for 3 trustees' }]);
  const invited = await org.json('POST', `/api/v1/ballots/${b.id}/trustees`, { names: ['Ann', 'Bob', 'Cy'] });
  expect(invited.status).toBe(201);
  const tokens: string[] = invited.body.trustees.map((t: { token: string }) => t.token);
  expect(invited.body.trustees.map((t: { position: number; name: string }) => [t.position, t.name])).toEqual([
    [1, 'Ann'],
    [2, 'Bob'],
    [3, 'Cy'],
  ]);

  // Neither the organiser's session nor a made-up token is a trustee.
  expect((await org.json('GET', '/api/v1/trustee')).status).toBe(401);
  expect((await as('x'.repeat(43)).get()).status).toBe(401);
  const first = await as(tokens[0]!).get();
  expect(first.body).toMatchObject({
    position: 1,
    name: 'Ann',
    trustees: 3,
    threshold: 2,
    next: 'certificate',
    certificates: null,
  });

  // Step 1. A polynomial before every certificate is in is refused.
  const certificates = [];
  for (const [i, token] of tokens.entries()) {
    const certificate = await cli('certificate', '--secrets', at(`t${i + 1}.secrets`));
    certificates.push(certificate);
    const r = await as(token).put('certificate', certificate);
    expect(r.status).toBe(200);
    expect(r.body.next).toBe(i < 2 ? 'waiting' : 'polynomial');
    if (i === 0) {
      // Another trustee sending the same certificate is refused.
      const copy = await as(tokens[1]!).put('certificate', certificate);
      expect(copy.status).toBe(422);
      expect(copy.body.detail).toBe("this certificate repeats trustee 1's keys");
      expect(
        (await as(tokens[1]!).put('polynomial', { coefexps: certificate, shares: [{ alpha: '1', share: '1' }] }))
          .status,
      ).toBe(409);
    }
  }
  // A forged signature is refused.
  const forged = { ...certificates[0], signature: { ...certificates[0].signature, response: '1' } };
  const refused = await as(tokens[0]!).put('certificate', forged);
  expect(refused.status).toBe(422);
  expect(refused.body.detail).toBe('certificate: the signature does not verify');

  // Step 2, from the certificates the server relays.
  const relayed = (await as(tokens[0]!).get()).body;
  expect(relayed.certificates).toEqual(certificates);
  fs.writeFileSync(at('certificates.json'), JSON.stringify(relayed.certificates));
  const polynomials = [];
  for (let i = 0; i < tokens.length; i++)
    polynomials.push(
      await cli(
        'polynomial',
        '--secrets',
        at(`t${i + 1}.secrets`),
        '--certificates',
        at('certificates.json'),
        '--threshold',
        '2',
      ),
    );
  // A trustee sending another's polynomial: not signed by their certificate.
  const stolen = await as(tokens[0]!).put('polynomial', polynomials[1]);
  expect(stolen.status).toBe(422);
  expect(stolen.body.detail).toBe("trustee 1's commitments are not signed by their certificate");
  for (const [i, token] of tokens.entries())
    expect((await as(token).put('polynomial', polynomials[i])).status).toBe(200);
  // The certificates are fixed once polynomials have begun.
  expect((await as(tokens[0]!).put('certificate', certificates[0])).status).toBe(409);

  // Step 3.
  fs.writeFileSync(at('polynomials.json'), JSON.stringify((await as(tokens[2]!).get()).body.polynomials));
  const keys = [];
  for (let i = 0; i < tokens.length; i++)
    keys.push(
      await cli(
        'key',
        '--secrets',
        at(`t${i + 1}.secrets`),
        '--certificates',
        at('certificates.json'),
        '--polynomials',
        at('polynomials.json'),
        '--key-out',
        at(`t${i + 1}.key`),
      ),
    );
  const swapped = await as(tokens[0]!).put('verification-key', keys[1]);
  expect(swapped.status).toBe(422);
  expect(swapped.body.detail).toBe("the verification key does not follow from the trustees' commitments");
  let last;
  for (const [i, token] of tokens.entries()) last = await as(token).put('verification-key', keys[i]);
  expect(last!.body.next).toBe('done');
  expect(last!.body.publicKey).toMatch(/^[0-9]+$/);

  const progress = await org.json('GET', `/api/v1/ballots/${b.id}/trustees`);
  expect(progress.body.publicKey).toBe(last!.body.publicKey);
  expect(
    progress.body.trustees.every((t: Record<string, boolean>) => t.certificate && t.polynomial && t.verificationKey),
  ).toBe(true);
  await checkedTrustees(app.db, b.id);

  // No token and no secret anywhere in the database or the log: the server never had the secrets.
  const log = JSON.stringify(await app.db.selectFrom('audit_log').selectAll().execute());
  for (const t of tokens) expect(log).not.toContain(t);
  const everything = JSON.stringify(await app.db.selectFrom('ballot_trustees').selectAll().execute());
  for (let i = 1; i <= 3; i++) {
    const secrets = JSON.parse(fs.readFileSync(at(`t${i}.secrets`), 'utf8'));
    const share = JSON.parse(fs.readFileSync(at(`t${i}.key`), 'utf8'));
    for (const secret of [secrets.signing, secrets.encryption, share]) {
      expect(everything).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  }
  expect(log).toContain('trustee.verification-key');
  expect(log).toContain('ballot.election-key');

  // Changing the number of trustees drops the keys made for the old one; the old tokens then fail.
  const edited = await org.json('PUT', `/api/v1/ballots/${b.id}`, { ...ballotInput(), mode: { ...mode, trustees: 4 } });
  expect(edited.status).toBe(200);
  expect((await org.json('GET', `/api/v1/ballots/${b.id}/trustees`)).body).toEqual({
    threshold: 2,
    trustees: [],
    publicKey: null,
  });
  expect((await as(tokens[0]!).get()).status).toBe(401);
});

test('an office-mode ballot has no trustees', async () => {
  const b = (await org.json('POST', '/api/v1/ballots', { ...ballotInput(), mode: { kind: 'office' } })).body;
  const r = await org.json('POST', `/api/v1/ballots/${b.id}/trustees`, { names: ['Ann'] });
  expect(r.status).toBe(409);
  expect(r.body.detail).toBe('only a verifiable ballot has trustees');
});
