import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { afterShuffles, parseShuffle, shuffle, writeShuffle } from '@omov/core/crypto/shuffle';
import { parseEncryptedTally } from '@omov/core/crypto/tally';
import type { Question, StoredVote } from '@omov/core/domain/ballot';
import { countRecordQuestion } from '@omov/core/record/record';
import { rankedVote } from '@omov/core/record/verifiable';
import { verifyRecord } from '@omov/core/record/verify';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';

/**
 * A verifiable ballot with a ranked question over HTTP and the CLI (docs/verifiable.md,
 * "Ranked questions"): a yes/no, an approval and an STV question; the trustees make their
 * keys with `omov trustee … --server` in the group that can encode a ranking; members' ballots
 * are made with the core; at the close the STV question's ballots wait for the shuffles: two
 * of the three trustees shuffle with `omov trustee shuffle --server` (a bad shuffle is refused,
 * naming the trustee), then decrypt with `omov trustee decrypt --server`. The result is omov's
 * count of what was cast; belenios-tool verifies the archive and computes the same totals for
 * the homomorphic questions; `omov verify` accepts the record; a decrypted ranking altered in
 * the database is caught by both verifiers.
 */
const BELENIOS_TOOL = '/usr/bin/belenios-tool';
let app: TestApp;
let org: Client;
let dir: string;
const MEMBERS = 10;
beforeAll(async () => {
  if (!fs.existsSync(BELENIOS_TOOL)) throw new Error(`${BELENIOS_TOOL} is missing: apt-get install belenios-tool`);
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const roll = [
    'email,name,branch,weight',
    ...Array.from({ length: MEMBERS }, (_, i) => `r${i}@example.org,Member ${i},${i < 6 ? 'North' : 'South'},1`),
  ];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-ranked-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);
const anyone = () => new Client(app.url);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cli = async (...argv: string[]) => {
  const r = await omov(...argv);
  if (r.code !== 0) throw new Error(`omov ${argv.join(' ')}: ${r.err}`);
  return r.out.trim();
};
/** A trustee's command against the server, with their token in a file (never a flag). */
const online = (n: number) => ['--server', app.url, '--token-file', at(`t${n}.token`)];

/** belenios-tool on the archive the server publishes, saved under `name`. */
async function belenios(id: string, name: string, args: string[]) {
  const r = await anyone().request('GET', `/api/v1/ballots/${id}/belenios-archive`);
  expect(r.status).toBe(200);
  const where = at(`archive-${name}`);
  fs.mkdirSync(where, { recursive: true });
  const fileName = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')![1]!;
  fs.writeFileSync(path.join(where, fileName), Buffer.from(await r.arrayBuffer()));
  try {
    const out = execFileSync(BELENIOS_TOOL, [...args, '--dir', where], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, out, err: '', file: path.join(where, fileName) };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout, err: err.stderr, file: path.join(where, fileName) };
  }
}

// Each member's answers: yes/no as [blank, yes, no], approval as [blank, Ada, Ben, Cy], and the
// STV question as each candidate's rank (1 first, 0 unranked); the last ranks nobody (abstains).
const CAST: Array<[number[], number[], number[]]> = [
  [
    [0, 1, 0],
    [0, 1, 1, 0],
    [1, 2, 3, 0],
  ],
  [
    [0, 1, 0],
    [0, 1, 0, 0],
    [1, 3, 2, 4],
  ],
  [
    [0, 0, 1],
    [0, 0, 1, 1],
    [2, 1, 0, 0],
  ],
  [
    [1, 0, 0],
    [1, 0, 0, 0],
    [1, 0, 0, 2],
  ],
  [
    [0, 1, 0],
    [0, 1, 1, 1],
    [3, 1, 2, 0],
  ],
  [
    [0, 0, 1],
    [0, 0, 0, 1],
    [0, 0, 1, 2],
  ],
  [
    [0, 1, 0],
    [0, 1, 0, 1],
    [1, 0, 2, 0],
  ],
  [
    [0, 1, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ],
  [
    [0, 0, 1],
    [1, 0, 0, 0],
    [0, 0, 0, 0],
  ],
];

test(
  'a ranked question shuffled by 2 of 3 trustees with omov trustee, decrypted, counted by omov, verified by belenios-tool',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Ranked election',
      questions: [
        { title: 'Adopt the budget?', method: 'yesno' },
        {
          title: 'Approve the auditors',
          method: 'approval',
          options: [{ label: 'Ada' }, { label: 'Ben' }, { label: 'Cy' }],
        },
        {
          title: 'Committee',
          method: 'stv',
          settings: { seats: 2 },
          options: [{ label: 'Dee' }, { label: 'Eli' }, { label: 'Fay' }, { label: 'Gus' }],
        },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;

    // The trustees' keys, by `omov trustee … --server`: the server says the group.
    const named = await org.json('POST', `/api/v1/ballots/${id}/trustees`, { names: ['Ann', 'Bob', 'Cy'] });
    const tokens: string[] = named.body.trustees.map((t: { token: string }) => t.token);
    tokens.forEach((t, i) => fs.writeFileSync(at(`t${i + 1}.token`), t));
    const trustee = (n: number) => ({
      get: () => anyone().json('GET', '/api/v1/trustee', undefined, bearer(tokens[n - 1]!)),
      put: (step: string, body: unknown) =>
        anyone().json('PUT', `/api/v1/trustee/${step}`, body, bearer(tokens[n - 1]!)),
    });
    expect((await trustee(1).get()).body.group).toBe('RFC-3526-2048');
    const wrongGroup = await omov(
      'trustee',
      'certificate',
      '--secrets',
      at('x.secrets'),
      '--group',
      'BELENIOS-2048',
      ...online(1),
    );
    expect(wrongGroup.code).not.toBe(0);
    expect(wrongGroup.err).toContain("--group BELENIOS-2048: the server's ballot uses RFC-3526-2048");
    for (const n of [1, 2, 3]) await cli('trustee', 'certificate', '--secrets', at(`t${n}.secrets`), ...online(n));
    for (const n of [1, 2, 3]) await cli('trustee', 'polynomial', '--secrets', at(`t${n}.secrets`), ...online(n));
    for (const n of [1, 2, 3])
      await cli('trustee', 'key', '--secrets', at(`t${n}.secrets`), '--key-out', at(`t${n}.key`), ...online(n));
    const credentials = await makeMemberCredentials(app.url, (m, p, b) => org.json(m, p, b), id);
    const opened = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
    expect(opened.status === 200 ? 200 : JSON.stringify(opened.body)).toBe(200);

    const election = parseElection(await (await anyone().request('GET', `/api/v1/ballots/${id}/election.json`)).text());
    expect(election.group.name).toBe('RFC-3526-2048');
    expect(election.raw).toContain(
      '{"type":"NonHomomorphic","value":{"answers":["Dee","Eli","Fay","Gus"],"question":"Committee"}}',
    );

    const members = (
      await app.db
        .selectFrom('members')
        .select('id')
        .where('email', 'like', 'r%@example.org')
        .orderBy('email')
        .execute()
    ).map((m) => credentials.get(m.id)!);
    for (const [i, plaintext] of CAST.entries()) {
      const b = encryptBallot(election, members[i]!, plaintext, systemRandom);
      const r = await anyone().json('POST', `/api/v1/ballots/${id}/verifiable-ballots`, b.text, {
        'content-type': 'application/json',
      });
      expect(r.status === 201 ? 201 : `${i}: ${JSON.stringify(r.body)}`).toBe(201);
    }
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);

    // The ranked ballots wait for the shuffles: nobody may decrypt before.
    expect((await trustee(1).get()).body).toMatchObject({ next: 'shuffle', shuffles: [] });
    const early = await omov('trustee', 'decrypt', '--key', at('t1.key'), ...online(1));
    expect(early.code).not.toBe(0);
    expect(early.err).toContain('they must be shuffled before you decrypt');
    const earlyPut = await trustee(1).put('partial-decryption', { decryption_factors: [], decryption_proofs: [] });
    expect(earlyPut.status).toBe(409);
    expect(earlyPut.body.detail).toBe(
      "the ranked questions' ballots are decrypted only once 2 trustees have shuffled them; 0 have",
    );

    // A bad shuffle (two shuffled ciphertexts swapped after the proof was made) is refused, naming the trustee.
    const task = (await trustee(2).get()).body;
    const current = afterShuffles(election, parseEncryptedTally(task.encryptedTally), []);
    const made = shuffle(election, current, systemRandom);
    const swapped = [made.ciphertexts[0]![1]!, made.ciphertexts[0]![0]!, ...made.ciphertexts[0]!.slice(2)];
    const bad = await trustee(2).put('shuffle', JSON.parse(writeShuffle({ ...made, ciphertexts: [swapped] })));
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toBe(
      'the shuffle of trustee 2 does not verify: its proof of shuffle fails against the ciphertexts before it (0 shuffles so far)',
    );

    // Trustees 1 and 3 shuffle with the CLI, against the server; then the shuffles end.
    await cli('trustee', 'shuffle', ...online(1));
    expect((await trustee(1).get()).body).toMatchObject({ next: 'waiting' });
    expect((await trustee(1).put('shuffle', JSON.parse(writeShuffle(made)))).status).toBe(409);
    await cli('trustee', 'shuffle', ...online(3));
    const after = (await trustee(2).get()).body;
    expect(after.next).toBe('decrypt');
    expect(after.shuffles).toHaveLength(2);
    // Trustee 2, too late to shuffle: the shuffles have ended.
    const late = await trustee(2).put('shuffle', JSON.parse(writeShuffle(made)));
    expect(late.status).toBe(409);
    expect(late.body.detail).toBe('the shuffles have ended: the trustees decrypt now');
    // Each shuffle re-encrypted every ballot: none of the tally's ciphertexts is left.
    const shuffled = parseShuffle(JSON.stringify(after.shuffles[1])).ciphertexts[0]!;
    const before = new Set(current[0]!.map((c) => String(c.alpha)));
    expect(shuffled).toHaveLength(CAST.length);
    expect(shuffled.filter((c) => before.has(String(c.alpha)))).toEqual([]);

    await cli('trustee', 'decrypt', '--key', at('t1.key'), ...online(1));
    await cli('trustee', 'decrypt', '--key', at('t3.key'), ...online(3));
    expect((await trustee(2).get()).body.next).toBe('done');

    // The result is omov's count of what was cast.
    const results = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body;
    const [adopt, auditors, committee] = results.questions;
    const total = (q: number, answer: number) => String(CAST.filter((c) => c[q]![answer] === 1).length);
    expect(adopt.options).toEqual([
      { option: 'Yes', votes: total(0, 1) },
      { option: 'No', votes: total(0, 2) },
    ]);
    expect(adopt.abstentions).toBe(total(0, 0));
    expect(auditors.options).toEqual([
      { option: 'Ada', votes: total(1, 1) },
      { option: 'Ben', votes: total(1, 2) },
      { option: 'Cy', votes: total(1, 3) },
    ]);
    const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const questions = record.ballot.questions as Question[];
    const stv = questions.find((q) => q.method === 'stv')!;
    // The shuffles kept the pools of branches apart: here North and South (3 voters, under k) are one pool.
    const units = record.branches.units;
    expect(units.map((u: { name: string }) => u.name)).toEqual(['Pooled: North, South']);
    const plain: StoredVote[] = CAST.map(([, , ranks]) => ({
      unit: units[0].name,
      weight: '1',
      answers: { [stv.id]: rankedVote(ranks, 4) },
    }));
    const counted = countRecordQuestion(record.ballot, stv, plain, MEMBERS, units);
    expect(record.results[2]).toEqual(JSON.parse(JSON.stringify(counted)));
    expect(committee.elected).toEqual(counted.elected);
    expect(committee.elected).toHaveLength(2);
    expect(committee.abstentions).toBe('1');

    // belenios-tool verifies the archive and computes the same totals for the homomorphic questions.
    expect(await belenios(id, 'done', ['election', 'verify'])).toMatchObject({ code: 0, err: '' });
    const computed = await belenios(id, 'done', ['election', 'compute-result']);
    expect(computed.code).toBe(0);
    const belResult = JSON.parse(computed.out).result;
    expect(belResult.slice(0, 2)).toEqual([
      [0, 1, 2].map((a) => Number(total(0, a))),
      [0, 1, 2, 3].map((a) => Number(total(1, a))),
    ]);
    // And the decrypted rankings are the ones cast, in the shuffled order.
    const sortRanks = (xs: number[][]) => xs.map((x) => x.join(',')).sort();
    expect(sortRanks(belResult[2])).toEqual(sortRanks(CAST.map((c) => c[2])));

    // omov verify accepts the record, recounting the STV question from the decrypted rankings.
    fs.writeFileSync(at('record.json'), JSON.stringify(record));
    const verified = await omov('verify', at('record.json'));
    expect(verified.code).toBe(0);
    expect(verified.out).toContain('PASS  V9.3');
    expect(verified.out).toMatch(/V9\.3 .*stv: counted from the archive's decrypted totals/);

    // A decrypted ranking altered in the database (by its superuser, past the append-only trigger)
    // is caught by both verifiers.
    await app.db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      const row = await tx
        .selectFrom('verifiable_events')
        .select(['height', 'data'])
        .where('ballot_id', '=', id)
        .where('type', '=', 'Result')
        .executeTakeFirstOrThrow();
      const result = JSON.parse(row.data[0]!) as { result: [number[], number[], number[][]] };
      const first = result.result[2].findIndex((r) => r[0] !== r[1]);
      const r = result.result[2][first]!;
      [r[0], r[1]] = [r[1]!, r[0]!];
      await tx
        .updateTable('verifiable_events')
        .set({ data: [JSON.stringify(result)] })
        .where('ballot_id', '=', id)
        .where('height', '=', row.height)
        .execute();
    });
    const altered = await belenios(id, 'altered', ['election', 'verify']);
    expect(altered.code).not.toBe(0);
    const ours = await omov('verify', altered.file);
    expect(ours.code).not.toBe(0);
    const alteredRecord = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const v = verifyRecord(alteredRecord);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.id === 'V18')!.verdict).toBe('FAIL');
  },
  scaled(900_000),
);

test('a ranked question on a ballot whose members do not all weigh 1 cannot open: its ballots are shuffled unweighted', async () => {
  // One member now weighs 2.
  await app.db.updateTable('members').set({ weight: '2' }).where('email', '=', 'r0@example.org').execute();
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Weighted ranked',
    questions: [{ title: 'Order', method: 'irv', options: [{ label: 'A' }, { label: 'B' }] }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  await makeTrusteeKeys(app.url, (m, p, b) => org.json(m, p, b), id, 1, 1);
  await makeMemberCredentials(app.url, (m, p, b) => org.json(m, p, b), id);
  const open = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
  expect(open.status).toBe(409);
  expect(open.body.detail).toContain('Belenios shuffles ballots of weight 1 only');
  expect((await org.json('GET', `/api/v1/ballots/${id}`)).body.status).toBe('draft');
});
