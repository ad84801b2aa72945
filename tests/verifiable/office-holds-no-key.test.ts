import { sql } from 'kysely';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { credentialSecret } from '@omov/core/crypto/credential';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { G } from '../support/trustees';

/**
 * The office's attack on a verifiable ballot's secrecy and its count (docs/security.md, the
 * verifiable table): with the whole database as superuser (every row of every table, the
 * mail queue and the log), the server secret and the server's log lines, after the members
 * have voted and the ballot has closed, it holds no trustee's key share and no member's
 * private credential, nor the signing secret derived from one: nothing that decrypts a vote
 * or signs a ballot. What it does hold of the ballots is ciphertext. And an attack that
 * succeeds, as docs/security.md says: before the close, the database superuser removes the
 * board's last ballot (the append-only trigger disabled); the chain still checks, the close
 * counts without it, and only its member, whose tracker is gone from the board, can notice.
 */
const SECRET = 'test-secret-0123456789-0123456789-abcdef';
let app: TestApp;
let org: Client;
const logLines: string[] = [];
beforeAll(async () => {
  app = await startTestApp({ logLines });
  org = await setUpOrganisation(app);
  const roll = ['email,name,branch', ...Array.from({ length: 3 }, (_, i) => `m${i}@example.org,Member ${i},North`)];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
});
afterAll(() => app?.close());

/** Every row of every table of the public schema, as JSON text: what a database superuser reads. */
async function wholeDatabase(): Promise<string> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(app.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(name)} t`.execute(
      app.db,
    );
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join('\n');
}

test('the database, the secret and the logs hold no key share and no private credential', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'No key here',
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
  const trustees = await makeTrusteeKeys(app.url, organiser, id, 3, 2);
  const credentials = [...(await makeMemberCredentials(app.url, organiser, id)).values()];
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
  for (const credential of credentials.slice(0, 2)) {
    const ballot = encryptBallot(election, credential, [[0, 1, 0]], systemRandom);
    const cast = await org.request('POST', `/api/v1/ballots/${id}/verifiable-ballots`, ballot.text, {
      'content-type': 'application/json',
    });
    expect(cast.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);

  const held = [await wholeDatabase(), SECRET, logLines.join('\n')].join('\n');
  // The attack reads what it should: the ballots' ciphertexts are there.
  expect(held).toContain('"Ballot"');
  expect(held).toContain(election.fingerprint);
  for (const key of trustees.keys) expect(held).not.toContain(String(key));
  for (const credential of credentials) {
    expect(held).not.toContain(credential);
    expect(held).not.toContain(credential.replace(/-/g, ''));
    expect(held).not.toContain(String(credentialSecret(G, election.uuid, credential)));
  }
});

test('the last ballot removed before the close is not caught by the chain: only its member can notice', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Tail cut',
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
  await makeTrusteeKeys(app.url, organiser, id, 1, 1);
  const credentials = [...(await makeMemberCredentials(app.url, organiser, id)).values()];
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
  const trackers: string[] = [];
  for (const credential of credentials.slice(0, 2)) {
    const ballot = encryptBallot(election, credential, [[0, 1, 0]], systemRandom);
    const cast = await org.request('POST', `/api/v1/ballots/${id}/verifiable-ballots`, ballot.text, {
      'content-type': 'application/json',
    });
    expect(cast.status).toBe(201);
    trackers.push(ballot.tracker);
  }
  // The append-only trigger refuses the deletion; the superuser disables it first.
  await expect(
    sql`delete from verifiable_events where ballot_id = ${id} and tracker = ${trackers[1]}`.execute(app.db),
  ).rejects.toThrow();
  await sql`alter table verifiable_events disable trigger verifiable_events_append_only`.execute(app.db);
  await sql`delete from verifiable_events where ballot_id = ${id} and tracker = ${trackers[1]}`.execute(app.db);
  await sql`alter table verifiable_events enable trigger verifiable_events_append_only`.execute(app.db);

  // The chain still checks: the close succeeds and counts one ballot.
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);
  const board = await org.json('GET', `/api/v1/ballots/${id}/verifiable-board`);
  expect(board.body.ballots.map((b: { tracker: string }) => b.tracker)).toEqual([trackers[0]]);
  // What its member sees: their tracker is not found on the board.
  const mine = await org.json(
    'GET',
    `/api/v1/ballots/${id}/verifiable-board?tracker=${encodeURIComponent(trackers[1]!)}`,
  );
  expect(mine.body.ballots).toEqual([]);
});
