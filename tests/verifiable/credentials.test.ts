import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { credentialSecret, publicCredential } from '@omov/core/crypto/credential';
import { groupNamed } from '@omov/core/crypto/group';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';

/**
 * A verifiable ballot's credential authority over HTTP and the CLI (docs/verifiable.md): with
 * their own token they read the roll (ids, branches, weights: no names, no emails), make the
 * credentials with `omov credentials generate`, and upload only the public ones, which the
 * server checks against the roll branch by branch and publishes with each branch's count.
 */
const G = groupNamed('BELENIOS-2048');
let app: TestApp;
let org: Client;
let dir: string;
const ROLL = [
  'email,name,branch,weight',
  ...Array.from({ length: 6 }, (_, i) => `n${i}@example.org,North ${i},North,1`),
  ...Array.from({ length: 4 }, (_, i) => `s${i}@example.org,South ${i},South,${i === 0 ? 3 : 1}`),
].join('\n');
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${ROLL}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-credentials-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);
const mode = { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' };
const ballot = async (title: string, ballotMode?: typeof mode) =>
  (
    await org.json('POST', '/api/v1/ballots', {
      title,
      questions: [{ title: 'Adopt?', method: 'yesno' }],
      ...ballotTimes(),
      ...(ballotMode ? { mode: ballotMode } : {}),
    })
  ).body;
const authority = (token: string) => ({
  roll: () =>
    new Client(app.url).json('GET', '/api/v1/credential-authority/roll', undefined, {
      authorization: `Bearer ${token}`,
    }),
  upload: (body: unknown) =>
    new Client(app.url).json('PUT', '/api/v1/credential-authority/public-credentials', body, {
      authorization: `Bearer ${token}`,
    }),
});

test('the credential authority makes credentials from the published roll; the server keeps and publishes only public ones', async () => {
  const b = await ballot('Creds', mode);
  expect((await new Client(app.url).json('GET', `/api/v1/ballots/${b.id}/public-credentials`)).status).toBe(404);
  const invited = await org.json('POST', `/api/v1/ballots/${b.id}/credential-authority`);
  expect(invited.status).toBe(201);
  const ca = authority(invited.body.token);

  // The organiser's session is not the authority.
  expect((await org.json('GET', '/api/v1/credential-authority/roll')).status).toBe(401);
  const roll = await ca.roll();
  expect(roll.status).toBe(200);
  expect(roll.body).toMatchObject({
    ballotId: b.id,
    credentialAuthority: 'Cara',
    electionUuid: invited.body.electionUuid,
  });
  expect(roll.body.members).toHaveLength(10);
  expect(JSON.stringify(roll.body)).not.toMatch(/example\.org|North 0/);
  fs.writeFileSync(at('roll.json'), JSON.stringify(roll.body));

  const made = await omov(
    'credentials',
    'generate',
    '--roll',
    at('roll.json'),
    '--private-out',
    at('private.csv'),
    '--public-out',
    at('public.json'),
  );
  expect(made.code).toBe(0);
  expect(made.err).toContain('10 credentials made');
  const privateLines = fs.readFileSync(at('private.csv'), 'utf8').trim().split('\n').slice(1);
  expect(privateLines).toHaveLength(10);
  expect(fs.statSync(at('private.csv')).mode & 0o077).toBe(0);
  const upload = JSON.parse(fs.readFileSync(at('public.json'), 'utf8'));
  // Each private credential gives one of the public ones, under the election's uuid.
  const publics = new Set(upload.credentials.map((c: { credential: string }) => c.credential));
  for (const line of privateLines) {
    const credential = line.split(',')[1]!;
    expect(publics.has(String(publicCredential(G, invited.body.electionUuid, credential)))).toBe(true);
  }
  // Making them again over the same files is refused: the private credentials are never lost.
  expect(
    (
      await omov(
        'credentials',
        'generate',
        '--roll',
        at('roll.json'),
        '--private-out',
        at('private.csv'),
        '--public-out',
        at('other.json'),
      )
    ).code,
  ).toBe(2);

  // Credentials that do not fit the roll are refused, naming the branch; so are a forged and a repeated one.
  const short = await ca.upload({ credentials: upload.credentials.slice(1) });
  expect(short.status).toBe(422);
  expect(short.body.errors[0].message).toMatch(/^(North|South): \d+ members$/);
  const heavier = await ca.upload({
    credentials: upload.credentials.map((c: { weight: string }, i: number) =>
      i === 0 ? { ...c, weight: String(Number(c.weight) + 1) } : c,
    ),
  });
  expect(heavier.status).toBe(422);
  const forged = await ca.upload({
    credentials: [{ ...upload.credentials[0], credential: '2' }, ...upload.credentials.slice(1)],
  });
  expect(forged.status).toBe(422);
  expect(forged.body.errors).toEqual([
    { path: 'credentials.0', message: 'a public credential is not an element of the group' },
  ]);
  const twice = await ca.upload({ credentials: [...upload.credentials.slice(1), upload.credentials[1]] });
  expect(twice.status).toBe(422);
  expect(twice.body.detail).toBe('a public credential is there twice');

  const ok = await ca.upload(upload);
  expect(ok.status).toBe(200);
  const published = await new Client(app.url).json('GET', `/api/v1/ballots/${b.id}/public-credentials`);
  expect(published.status).toBe(200);
  expect(published.body.byBranch).toEqual([
    { branch: 'North', credentials: 6 },
    { branch: 'South', credentials: 4 },
  ]);
  expect(published.body.credentials).toHaveLength(10);
  expect(published.body.credentials.filter((c: string) => c.endsWith(',3'))).toHaveLength(1);

  // No private credential, nor a key derived from one, nor the token, is anywhere the office can read.
  const everything = JSON.stringify([
    await app.db.selectFrom('ballot_public_credentials').selectAll().execute(),
    await app.db.selectFrom('ballot_credential_authorities').selectAll().execute(),
    await app.db.selectFrom('audit_log').selectAll().execute(),
  ]);
  for (const line of privateLines) {
    const credential = line.split(',')[1]!;
    expect(everything).not.toContain(credential);
    expect(everything).not.toContain(String(credentialSecret(G, invited.body.electionUuid, credential)));
  }
  expect(everything).not.toContain(invited.body.token);
});

test('fractional weights are refused for now, and an office-mode ballot has no credential authority', async () => {
  const office = await ballot('Office');
  expect((await org.json('POST', `/api/v1/ballots/${office.id}/credential-authority`)).status).toBe(409);
  await org.json('POST', '/api/v1/members', {
    email: 'half@example.org',
    name: 'Half',
    branch: 'South',
    weight: '0.5',
  });
  const b = await ballot('Half', mode);
  const token = (await org.json('POST', `/api/v1/ballots/${b.id}/credential-authority`)).body.token;
  const roll = await authority(token).roll();
  expect(roll.status).toBe(409);
  expect(roll.body.detail).toBe('a verifiable ballot takes whole-number weights for now: a member of South weighs 0.5');
});
